// Validates front matter fields into typed values, one problem per bad field.
// Field rules follow what SOFA Weekly and Hugo sites actually write: `tags`/`categories` as a
// string or a list, `author` or `authors`, `authorlink`, `summary` as `description`.
import { decodeHTMLStrict } from 'entities';
import { z } from 'zod';
import { DATE_EXAMPLE, issueDateFromInstant, parseIssueDate, yearOf } from './dates.js';
import { SLUG_PATTERN, type Issue, type IssueAuthor, type IssueDate } from './issue.js';
import { MAX_TOPICS, MIN_YEAR, nameTooLong } from './limits.js';

/** The issue as its front matter describes it; the loader adds the path-derived and rendered parts. */
export type IssueFields = Pick<Issue, 'title' | 'date' | 'sendAt' | 'description' | 'tags' | 'categories' | 'cover' | 'authors' | 'draft' | 'lang' | 'email' | 'extra'> & {
  slug?: string;
};

export interface FieldProblem {
  field: string;
  message: string;
}

const KNOWN = new Set(['title', 'date', 'send_at', 'description', 'summary', 'tags', 'categories', 'cover', 'author', 'authors', 'authorlink', 'draft', 'slug', 'lang', 'email']);

const text = z.union([z.string(), z.number()]).transform((v) => String(v));
const textList = z
  .union([text, z.array(text), z.null()])
  .transform((v) => (v === null ? [] : Array.isArray(v) ? v : [v]))
  .transform((list) => [...new Set(list.map((item) => cleanText(item)).filter((item) => item !== ''))]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** Titles and descriptions are plain text; authors sometimes write HTML entities (&amp;) in them. */
function cleanText(value: string): string {
  return decodeHTMLStrict(value)
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
}

export function readFields(data: Record<string, unknown>, timeZone: string): { fields?: IssueFields; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });

  let title = '';
  const titleResult = text.safeParse(data.title);
  if (data.title === undefined || data.title === null) bad('title', 'missing (every issue needs a title)');
  else if (!titleResult.success) bad('title', `${describe(data.title)} is not text (expected e.g. title: "SOFA Weekly | ...")`);
  else if ((title = cleanText(titleResult.data)) === '') bad('title', 'is empty (every issue needs a title)');

  let date: IssueDate | null = null;
  if (isBlank(data.date)) bad('date', `missing (expected e.g. ${DATE_EXAMPLE})`);
  else date = readDate('date', data.date, timeZone, bad);
  // When the issue is emailed (default: at `date`). Never before `date`: the email links to the
  // issue's archive page, which does not exist until the issue is published.
  let sendAt: IssueDate | undefined;
  if (!isBlank(data.send_at)) {
    sendAt = readDate('send_at', data.send_at, timeZone, bad) ?? undefined;
    if (sendAt && date && sendAt.epochMs < date.epochMs) {
      bad('send_at', `${sendAt.iso} is before the date ${date.iso}; an issue is emailed at or after its publication (its email links to its page)`);
    }
  }
  // Field names here are snake_case or one word (authorlink); kept as an unknown field, a Hugo-style
  // sendAt would silently mail the issue at its date instead.
  if (data.sendAt !== undefined) bad('sendAt', 'is not a field Pressroom knows; the send time is written send_at (e.g. send_at: 2022-11-05T08:00:00+08:00)');

  const optionalText = (field: string): string | undefined => {
    const value = data[field];
    if (value === undefined || value === null) return undefined;
    const parsed = text.safeParse(value);
    if (!parsed.success) {
      bad(field, `${describe(value)} is not text`);
      return undefined;
    }
    return cleanText(parsed.data) || undefined;
  };
  const list = (field: string, what: string): string[] => {
    const parsed = textList.safeParse(data[field] ?? null);
    if (parsed.success) {
      const tooLong = parsed.data.map((name) => nameTooLong(what, name)).find((message) => message !== null);
      if (tooLong) bad(field, tooLong);
      return parsed.data;
    }
    bad(field, `${describe(data[field])} is not a name or a list of names (expected e.g. ${field}: ["SOFA Weekly"])`);
    return [];
  };
  const boolean = (field: string, fallback: boolean): boolean => {
    const value = data[field];
    if (value === undefined || value === null) return fallback;
    const parsed = flag.safeParse(value);
    if (parsed.success) return parsed.data;
    bad(field, `${describe(value)} is not true or false`);
    return fallback;
  };

  const description = optionalText('description') ?? optionalText('summary');
  const tags = list('tags', 'a tag');
  const categories = list('categories', 'a category');
  const topics = new Set([...tags, ...categories]).size;
  if (topics > MAX_TOPICS) {
    bad(data.tags !== undefined ? 'tags' : 'categories', `${topics} tags and categories; an issue may have at most ${MAX_TOPICS} (each one gets its own feeds)`);
  }
  const cover = optionalText('cover');
  const lang = optionalText('lang');
  const slug = optionalText('slug');
  if (slug !== undefined && !SLUG_PATTERN.test(slug)) {
    bad('slug', `${describe(slug)} may only use letters, digits, '.', '_' and '-' (expected e.g. slug: sofa-weekly-20221104)`);
  } else if (slug !== undefined && nameTooLong('a slug', slug)) {
    bad('slug', nameTooLong('a slug', slug)!);
  }
  const draft = boolean('draft', false);
  const email = boolean('email', true);
  const authors = readAuthors(data, bad);

  if (problems.length > 0 || date === null) return { problems };
  const extra = Object.fromEntries(Object.entries(data).filter(([key]) => !KNOWN.has(key)));
  return {
    problems,
    fields: { title, date, sendAt, description, tags, categories, cover, authors, draft, slug, lang, email, extra },
  };
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** `date` and `send_at`: the same forms, offsets and time zone (dates.ts), the same lower bound. */
function readDate(field: string, value: unknown, timeZone: string, bad: (field: string, message: string) => void): IssueDate | null {
  const date = value instanceof Date ? issueDateFromInstant(value) : typeof value === 'string' ? parseIssueDate(value, timeZone) : null;
  if (date === null) {
    bad(field, `${describe(value)} is not a date (expected e.g. ${DATE_EXAMPLE})`);
    return null;
  }
  if (!(yearOf(date) >= MIN_YEAR)) {
    bad(field, `${describe(value)} is in the year ${yearOf(date)}; dates before the year ${MIN_YEAR} are refused (expected e.g. ${DATE_EXAMPLE})`);
    return null;
  }
  return date;
}

function readAuthors(data: Record<string, unknown>, bad: (field: string, message: string) => void): IssueAuthor[] {
  const field = data.authors !== undefined ? 'authors' : 'author';
  const raw = data[field];
  const names = textList.safeParse(raw ?? null);
  const authors: IssueAuthor[] = [];
  if (names.success) {
    authors.push(...names.data.map((name) => ({ name })));
  } else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && typeof (raw as { name?: unknown }).name === 'string') {
    const { name, url, email } = raw as { name: string; url?: unknown; email?: unknown };
    authors.push({ name: cleanText(name), url: typeof url === 'string' ? url : undefined, email: typeof email === 'string' ? email : undefined });
  } else {
    bad(field, `${describe(raw)} is not a name or a list of names (expected e.g. author: "SOFA 团队")`);
  }
  const link = data.authorlink;
  if (typeof link === 'string' && link.trim() !== '') {
    if (authors[0]) authors[0].url ??= link.trim();
  } else if (link !== undefined && link !== null) {
    bad('authorlink', `${describe(link)} is not a URL`);
  }
  return authors;
}
