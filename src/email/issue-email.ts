// An issue as an email: MJML + Liquid rendered once, then one cheap message per subscriber.
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { messages } from '../i18n/catalogue.js';
import { adaptIssueHtml } from './adapt-html.js';
import type { PreparedEmailWithParts } from './compose.js';
import { composeIssueEmail, RECIPIENT_VARIABLES, type IssueParts } from './issue-compose.js';
import { makeSentinel, oneLine } from './mime.js';
import { createSender } from './sender.js';
import { compileTemplate, plainLiquid, TemplateError } from './templates.js';
import { htmlToText } from './text.js';

export { RECIPIENT_VARIABLES, type IssueParts };

/** Every top-level variable emails/issue.mjml (and its partials) may use. */
export const ISSUE_VARIABLES = [
  'site',
  'title',
  'date',
  'date_iso',
  'description',
  'content',
  'url',
  'cover',
  'tags',
  'authors',
  'slug',
  'postal_address',
  'subscribed',
  't',
  ...RECIPIENT_VARIABLES,
] as const;

/** Variables available in the subject pattern (config email.subject). */
export const SUBJECT_VARIABLES = ['site', 'title', 'date', 'date_iso', 'description', 'slug', 'tags'] as const;

export async function prepareIssueEmail(config: Config, issue: Issue, secret: string): Promise<PreparedEmailWithParts> {
  createSender(config); // a sender/DKIM problem is reported before any rendering, as always
  return composeIssueEmail(config, issue, secret, await renderIssueParts(config, issue));
}

/**
 * The expensive half, once per issue: MJML + Liquid -> HTML with sentinels for the per-recipient
 * values, its text part, and the subject. Plain data, so it can also run in a separate process
 * (render-isolated.ts) and be composed by a sender that never loads MJML.
 */
export async function renderIssueParts(config: Config, issue: Issue): Promise<IssueParts> {
  const common = issueValues(config, issue);
  const sentinels = {
    name: makeSentinel('name'),
    email: makeSentinel('email'),
    unsubscribe_url: makeSentinel('unsub'),
    preferences_url: makeSentinel('prefs'),
  };
  const template = await compileTemplate(config.email.templatesDir, 'issue', ISSUE_VARIABLES, RECIPIENT_VARIABLES);
  const html = template.render({
    ...common,
    content: adaptIssueHtml(issue.html),
    postal_address: config.email.postalAddress,
    subscribed: true,
    // The fixed strings speak the site's language (the footer and button are the site's, not the issue's).
    t: messages(config.site.language, { site: config.site.title, email: sentinels.email }),
    ...sentinels,
  });
  const text = htmlToText(html);
  const subject = renderSubject(config, common);
  return { subject, html, text, sentinels };
}

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

function renderSubject(config: Config, values: Record<string, unknown>): string {
  const pattern = config.email.subject;
  const liquid = plainLiquid();
  let subject: string;
  try {
    const parsed = liquid.parse(pattern);
    for (const name of liquid.globalVariablesSync(parsed)) {
      if (!(SUBJECT_VARIABLES as readonly string[]).includes(name)) {
        throw new TemplateError(`email.subject: unknown variable "${name}" (available: ${SUBJECT_VARIABLES.join(', ')})`);
      }
    }
    subject = liquid.renderSync(parsed, values) as string;
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(`email.subject: "${pattern}": ${(err as Error).message}`);
  }
  subject = oneLine(subject);
  if (!subject) throw new TemplateError(`email.subject: pattern "${pattern}" gives an empty subject`);
  return subject;
}

function formatDate(epochMs: number, config: Config): string {
  try {
    return new Intl.DateTimeFormat(config.site.language, { dateStyle: 'long', timeZone: config.site.timeZone }).format(epochMs);
  } catch {
    return new Date(epochMs).toISOString().slice(0, 10);
  }
}
