// An issue as an email: MJML + Liquid rendered once, then one cheap message per subscriber.
import { createHmac } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { adaptIssueHtml } from './adapt-html.js';
import { composePrepared, field, type PreparedEmailWithParts } from './compose.js';
import type { Recipient } from './message.js';
import { addressLine, checkAddress, makeSentinel, oneLine } from './mime.js';
import { createSender, msgIdAtom } from './sender.js';
import { compileTemplate, plainLiquid, TemplateError } from './templates.js';
import { htmlToText } from './text.js';
import { signToken } from './tokens.js';

/** Per-subscriber template variables: filled in per recipient, after rendering. */
export const RECIPIENT_VARIABLES = ['name', 'email', 'unsubscribe_url', 'preferences_url'] as const;

/** Every top-level variable emails/issue.mjml (and its partials) may use. */
export const ISSUE_VARIABLES = [
  'site', 'title', 'date', 'date_iso', 'description', 'content', 'url', 'cover', 'tags', 'authors', 'slug',
  'postal_address', 'subscribed', ...RECIPIENT_VARIABLES,
] as const;

/** Variables available in the subject pattern (config email.subject). */
export const SUBJECT_VARIABLES = ['site', 'title', 'date', 'date_iso', 'description', 'slug', 'tags'] as const;

export async function prepareIssueEmail(config: Config, issue: Issue, secret: string): Promise<PreparedEmailWithParts> {
  const sender = createSender(config);
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
    ...sentinels,
  });
  const text = htmlToText(html);
  const subject = renderSubject(config, common);

  const site = config.site.url;
  const slugPart = msgIdAtom(issue.slug, 'issue');
  // Message-ID = <slug.subscriber.issueHash@domain>: stable for (issue, subscriber) so a retried
  // send is recognisable; the keyed hash (computed once) keeps ids of different installations apart.
  const issueHash = stableHash(secret, issue.slug);

  return composePrepared({
    headers: sender.headers(subject),
    trailingHeaders: sender.listHeaders(slugPart, true),
    html,
    text,
    sentinels,
    envelopeFrom: sender.from,
    dkim: sender.dkim,
    perRecipient(r: Recipient) {
      const to = checkAddress(r.email, `recipient ${r.id}`);
      const token = signToken(secret, r.id, 'unsubscribe');
      const unsubscribeUrl = `${site}unsubscribe?token=${token}`;
      const preferencesUrl = `${site}preferences?token=${signToken(secret, r.id, 'preferences')}`;
      const messageId = `<${slugPart}.${r.id}.${issueHash}@${sender.domain}>`;
      return {
        values: {
          name: r.name ? oneLine(r.name) : '',
          email: to,
          unsubscribe_url: unsubscribeUrl,
          preferences_url: preferencesUrl,
        },
        headers: [
          field('To', addressLine('To', r.name, to)),
          field('Message-ID', `Message-ID: ${messageId}`),
          sender.listUnsubscribe(unsubscribeUrl, token),
        ],
        messageId,
        envelopeTo: to,
      };
    },
  }, subject);
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
  const pattern = config.email.subject || '{{ title }}';
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

function stableHash(secret: string, slug: string): string {
  return createHmac('sha256', secret).update(`message-id\0${slug}`).digest('base64url').replace(/[-_]/g, '').slice(0, 12);
}
