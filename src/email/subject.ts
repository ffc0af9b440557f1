// The subject line of an issue email (the email.subject pattern, Liquid) and the values it shares
// with the body template. Apart from issue-email.ts so `pressroom check` can render the subject
// without loading MJML or the MIME code.
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import type { Liquid, Template } from 'liquidjs';
import { oneLine } from '../domain/one-line.js';
import { plainLiquid, TemplateError } from './templates.js';

/** Variables available in the subject pattern (config email.subject). */
export const SUBJECT_VARIABLES = ['site', 'title', 'date', 'date_iso', 'description', 'slug', 'tags'] as const;

/** Values shared by the body template and the subject pattern. */
export function issueValues(config: Config, issue: Issue) {
  return {
    site: {
      title: config.site.title,
      url: config.site.url,
      description: config.site.description,
      language: issue.lang ?? config.site.language,
    },
    title: oneLine(issue.title),
    date: formatDate(issue.date.epochMs, config),
    date_iso: issue.date.iso,
    description: oneLine(issue.description ?? ''),
    url: issue.url,
    cover: issue.cover ?? '',
    tags: issue.tags,
    authors: issue.authors.map((a) => a.name),
    slug: issue.slug,
  };
}

export function renderSubject(config: Config, values: Record<string, unknown>): string {
  const pattern = config.email.subject;
  let subject: string;
  try {
    const { liquid, parsed } = parsedSubject(pattern);
    subject = liquid.renderSync(parsed, values) as string;
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(`email.subject: "${pattern}": ${(err as Error).message}`);
  }
  subject = oneLine(subject);
  if (!subject) throw new TemplateError(`email.subject: pattern "${pattern}" gives an empty subject`);
  return subject;
}

let lastSubject: { pattern: string; liquid: Liquid; parsed: Template[] } | undefined;

/** The subject pattern parsed and its variables checked, once per pattern (`check` renders one subject per issue). */
function parsedSubject(pattern: string): { liquid: Liquid; parsed: Template[] } {
  if (lastSubject?.pattern === pattern) return lastSubject;
  const liquid = plainLiquid();
  const parsed = liquid.parse(pattern);
  for (const name of liquid.globalVariablesSync(parsed)) {
    if (!(SUBJECT_VARIABLES as readonly string[]).includes(name)) {
      throw new TemplateError(`email.subject: unknown variable "${name}" (available: ${SUBJECT_VARIABLES.join(', ')})`);
    }
  }
  lastSubject = { pattern, liquid, parsed };
  return lastSubject;
}

const dateFormats = new Map<string, Intl.DateTimeFormat | null>();

/** The issue's date in the site's language; the formatter is made once per language and zone (~1 ms each, and `check` formats every issue). */
function formatDate(epochMs: number, config: Config): string {
  const key = `${config.site.language}\0${config.site.timeZone}`;
  let format = dateFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat(config.site.language, { dateStyle: 'long', timeZone: config.site.timeZone });
    } catch {
      format = null;
    }
    dateFormats.set(key, format);
  }
  return format ? format.format(epochMs) : new Date(epochMs).toISOString().slice(0, 10);
}
