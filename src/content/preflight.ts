// Preflight: what `pressroom check` warns about in an issue that is valid but not ready to send.
// One rule per function, each pure: an issue (its Markdown body, with the file's line numbers)
// and the configuration in, warnings out, in the Problem shape of every other check line.
// `check --strict` turns them into failures (src/cli/content-commands.ts); docs/email.md lists them.
import type { Config } from '../config/config.js';
import { issueValues, renderSubject } from '../email/subject.js';
import type { Issue, Problem } from './issue.js';
import { absoluteUrl } from './urls.js';

/** Gmail shows "[Message clipped]" and hides the rest (the unsubscribe link included) above this much HTML. */
export const GMAIL_CLIP_BYTES = 102 * 1024;
/** RFC 5322's recommended line length; most clients cut a subject around here. */
export const SUBJECT_MAX_CHARS = 78;

/** What the build would write, for the link rule: siteOutputPaths, and the issues by slug. */
export interface PreflightSite {
  /** Output paths of a build of every issue that is not a draft (src/build/site-paths.ts), bundle files included. */
  paths: ReadonlySet<string>;
  /** Publication time (epoch ms) of every issue that is not a draft, by slug. */
  dates: ReadonlyMap<string, number>;
  /** Slugs of the drafts. */
  drafts: ReadonlySet<string>;
  now: number;
}

/** Paths the service answers itself (src/server/subscription.ts), not files of the build. */
const SERVICE_PATHS = new Set(['subscribe', 'confirm', 'unsubscribe', 'preferences']);

/** Every preflight warning of one issue except the email's size (emailSizeProblem: it needs MJML). */
export function preflight(issue: Issue, config: Config, site?: PreflightSite): Problem[] {
  const warn = (message: string, line?: number, field?: string): Problem => ({ file: issue.sourcePath, line, field, message });
  const problems: Problem[] = [];
  if (issue.email && !issue.draft) problems.push(...subjectProblems(issue, config, warn), ...preheaderProblems(issue, warn));
  const lines = proseLines(issue);
  problems.push(...missingAltProblems(lines, warn), ...placeholderProblems(lines, warn));
  if (site) problems.push(...siteLinkProblems(issue, lines, config, site, warn));
  problems.push(...removedProblems(issue, warn));
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

type Warn = (message: string, line?: number, field?: string) => Problem;

function subjectProblems(issue: Issue, config: Config, warn: Warn): Problem[] {
  let subject: string;
  try {
    subject = renderSubject(config, issueValues(config, issue));
  } catch (err) {
    return [warn((err as Error).message)];
  }
  const length = [...subject].length;
  if (length <= SUBJECT_MAX_CHARS) return [];
  return [warn(`the email's subject is ${length} characters ("${subject}"); mail clients cut it after about ${SUBJECT_MAX_CHARS} (see email.subject)`, undefined, 'title')];
}

function preheaderProblems(issue: Issue, warn: Warn): Problem[] {
  if ((issue.description ?? '').trim() !== '') return [];
  return [
    warn('empty: the email preheader (the line inboxes show after the subject) is the description; without one they show the first words of the body', undefined, 'description'),
  ];
}

/** A line of the body outside code, with inline code blanked out, and its line in the file. */
interface ProseLine {
  line: number;
  text: string;
}

/**
 * The body's lines that are prose: fenced code blocks (``` or ~~~) and indented code blocks are
 * left out, and inline code spans are blanked, so code may say TODO or show `![](x)`.
 */
function proseLines(issue: Issue): ProseLine[] {
  const out: ProseLine[] = [];
  let fence: string | undefined;
  let previousBlank = true;
  let inList = false;
  issue.markdown.split('\n').forEach((raw, index) => {
    const line = issue.bodyLine + index;
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && raw.trim() === marker) fence = undefined;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    const blank = raw.trim() === '';
    const indented = /^( {4}|\t)/.test(raw);
    if (!indented && !blank) inList = /^ {0,3}([-*+]|\d+[.)])\s/.test(raw) || (inList && !previousBlank);
    const code = indented && previousBlank && !inList;
    previousBlank = blank || (code && previousBlank);
    if (code || blank) return;
    out.push({ line, text: raw.replace(/(`+)(?!`).*?(?<!`)\1(?!`)/g, (span) => ' '.repeat(span.length)) });
  });
  return out;
}

function missingAltProblems(lines: ProseLine[], warn: Warn): Problem[] {
  const problems: Problem[] = [];
  for (const { line, text } of lines) {
    if (!text.includes('![') && !/<img/i.test(text)) continue;
    for (const m of text.matchAll(/!\[\s*\]\s*[([]\s*<?([^\s)>\]]*)/g)) {
      problems.push(warn(`image ${m[1] ? `${m[1]} ` : ''}has no alt text (![what it shows](...)): screen readers and mail clients that block images show nothing`, line));
    }
    for (const m of text.matchAll(/<img\b[^>]*>/gi)) {
      if (/\balt\s*=/i.test(m[0])) continue; // alt="" marks a decorative image: a choice, not an omission
      const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(m[0])?.[1];
      problems.push(warn(`image ${src ? `${src} ` : ''}has no alt attribute: screen readers and mail clients that block images show nothing`, line));
    }
  }
  return problems;
}

function placeholderProblems(lines: ProseLine[], warn: Warn): Problem[] {
  const problems: Problem[] = [];
  for (const { line, text } of lines) {
    if (!/TK|TODO|FIXME/.test(text)) continue;
    const words = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ');
    for (const m of words.matchAll(/(?<![\p{L}\p{N}_])(TK|TODO|FIXME)(?![\p{L}\p{N}_])/gu)) {
      problems.push(warn(`"${m[1]}" left in the text`, line));
    }
  }
  return problems;
}

/** The link targets written on a line: [x](url), ![x](url), [ref]: url, <url>, href/src="url", and bare http(s) URLs. */
function linksOf(text: string): string[] {
  const found = new Set<string>();
  if (!text.includes(':') && !text.includes('](') && !text.includes('=')) return [];
  const patterns = [
    /\]\(\s*<?([^\s)>]+)/g,
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)/g,
    /<(https?:\/\/[^\s>]+)>/g,
    /\b(?:href|src)\s*=\s*["']([^"']+)["']/gi,
    /(?<![("'<=])\b(https?:\/\/[^\s<>()"']+)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.add(m[1]!.replace(/[.,;:!?]+$/, ''));
  return [...found];
}

function siteLinkProblems(issue: Issue, lines: ProseLine[], config: Config, site: PreflightSite, warn: Warn): Problem[] {
  const root = new URL(config.site.url);
  const problems: Problem[] = [];
  const sendsAt = Math.max(site.now, issue.date.epochMs);
  for (const { line, text } of lines) {
    for (const link of linksOf(text)) {
      const absolute = absoluteUrl(link, issue.url);
      if (absolute === null || absolute.startsWith('#') || absolute.startsWith('mailto:')) continue;
      const url = new URL(absolute);
      if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) continue;
      let rel: string;
      try {
        rel = decodeURIComponent(url.pathname.slice(root.pathname.length));
      } catch {
        rel = url.pathname.slice(root.pathname.length);
      }
      if (SERVICE_PATHS.has(rel.replace(/\/$/, ''))) continue;
      const candidates = rel === '' || rel.endsWith('/') ? [`${rel}index.html`] : [rel, `${rel}/index.html`];
      const target = /^issues\/([^/]+)\//.exec(rel.endsWith('/') || rel.includes('/index.html') ? rel : `${rel}/`)?.[1];
      if (candidates.some((name) => site.paths.has(name))) {
        const published = target === undefined ? undefined : site.dates.get(target);
        if (published !== undefined && published > sendsAt) {
          problems.push(warn(`links to ${absolute}, an issue not published until ${new Date(published).toISOString()}, after this one`, line));
        }
        continue;
      }
      const why = target !== undefined && site.drafts.has(target) ? `issue "${target}" is a draft` : 'no issue, page or file of the site has that path';
      problems.push(warn(`links to ${absolute}, which the build does not write (${why})`, line));
    }
  }
  return problems;
}

function removedProblems(issue: Issue, warn: Warn): Problem[] {
  return issue.removed.map(({ what, line }) => warn(`${what} was removed: issues may not contain it (feeds, archive and email leave it out)`, line));
}

/** The size rule, given the bytes of the issue's email HTML as sending renders it (src/email/email-size.ts). */
export function emailSizeProblem(issue: Issue, htmlBytes: number): Problem | undefined {
  if (htmlBytes <= GMAIL_CLIP_BYTES) return undefined;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  return {
    file: issue.sourcePath,
    message: `the email's HTML is ${kb(htmlBytes)}; Gmail clips messages above ${kb(GMAIL_CLIP_BYTES)} ("[Message clipped]"), hiding the rest and the unsubscribe link`,
  };
}
