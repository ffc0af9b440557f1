// An issue as an email: MJML + Liquid rendered once, then one cheap message per subscriber.
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { messages } from '../i18n/catalogue.js';
import { adaptIssueHtml } from './adapt-html.js';
import type { PreparedEmailWithParts } from './compose.js';
import { composeIssueEmail, RECIPIENT_VARIABLES, type IssueParts } from './issue-compose.js';
import { makeSentinel } from './mime.js';
import { createSender } from './sender.js';
import { issueValues, renderSubject } from './subject.js';
import { compileTemplate, type CompiledTemplate } from './templates.js';
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
  const sentinels = {
    name: makeSentinel('name'),
    email: makeSentinel('email'),
    unsubscribe_url: makeSentinel('unsub'),
    preferences_url: makeSentinel('prefs'),
  };
  const template = await compileIssueTemplate(config);
  const html = template.render(issueTemplateValues(config, issue, sentinels));
  const text = htmlToText(html);
  const subject = renderSubject(config, issueValues(config, issue));
  return { subject, html, text, sentinels };
}

/** emails/issue.mjml (or the operator's copy) through MJML: the slow step, once per render. */
export function compileIssueTemplate(config: Config): Promise<CompiledTemplate> {
  return compileTemplate(config.email.templatesDir, 'issue', ISSUE_VARIABLES, RECIPIENT_VARIABLES);
}

/** The values the issue template renders for one issue; `recipient` holds the per-recipient ones (sentinels when preparing). */
export function issueTemplateValues(config: Config, issue: Issue, recipient: IssueParts['sentinels']): Record<string, unknown> {
  return {
    ...issueValues(config, issue),
    content: adaptIssueHtml(issue.html),
    postal_address: config.email.postalAddress,
    subscribed: true,
    // The fixed strings speak the site's language (the footer and button are the site's, not the issue's).
    t: messages(config.site.language, { site: config.site.title, email: recipient.email }),
    ...recipient,
  };
}
