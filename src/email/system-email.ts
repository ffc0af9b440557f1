// Subscription emails: double opt-in confirmation and welcome. Same machinery as issues (render
// once, fill per recipient); the subject comes from the template's <mj-title>, so operators
// change wording in one place.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { messages } from '../i18n/catalogue.js';
import { composePrepared, field, type PreparedEmailWithParts } from './compose.js';
import type { Recipient } from './message.js';
import { addressLine, checkAddress, makeSentinel, oneLine } from './mime.js';
import { createSender } from './sender.js';
import { compileTemplate, TemplateError } from './templates.js';
import { htmlToText } from './text.js';
import { signToken } from './tokens.js';

export type SystemEmailKind = 'confirm' | 'welcome';

/** How long a confirmation link stays valid. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const SYSTEM_RECIPIENT_VARIABLES = ['name', 'email', 'unsubscribe_url', 'preferences_url', 'confirm_url'] as const;
/** `t`: the fixed strings in the site's language (src/i18n/), the recipient's address already in place. */
export const SYSTEM_VARIABLES = ['site', 'postal_address', 'subscribed', 't', ...SYSTEM_RECIPIENT_VARIABLES] as const;

export async function prepareSystemEmail(config: Config, kind: SystemEmailKind, secret: string): Promise<PreparedEmailWithParts> {
  if (kind !== 'confirm' && kind !== 'welcome') throw new Error(`prepareSystemEmail: unknown kind "${String(kind)}"`);
  const sender = createSender(config);
  const subscribed = kind === 'welcome';
  // A confirm email goes to someone not yet subscribed: no unsubscribe/preferences links or headers.
  const sentinels = {
    name: makeSentinel('name'),
    email: makeSentinel('email'),
    unsubscribe_url: subscribed ? makeSentinel('unsub') : '',
    preferences_url: subscribed ? makeSentinel('prefs') : '',
    confirm_url: subscribed ? '' : makeSentinel('confirm'),
  };
  const active = Object.fromEntries(Object.entries(sentinels).filter(([, v]) => v !== '')) as Record<string, string>;
  const template = await compileTemplate(config.email.templatesDir, kind, SYSTEM_VARIABLES, SYSTEM_RECIPIENT_VARIABLES);
  const html = template.render({
    site: { title: config.site.title, url: config.site.url, description: config.site.description, language: config.site.language },
    postal_address: config.email.postalAddress,
    subscribed,
    t: messages(config.site.language, { site: config.site.title, email: sentinels.email }),
    ...sentinels,
  });
  const title = /<title>([\s\S]*?)<\/title>/.exec(html)?.[1];
  const subject = title ? oneLine(decodeEntities(title)) : '';
  if (!subject) throw new TemplateError(`${template.file}: <mj-title> is empty; it is the subject of the ${kind} email`);
  for (const [key, s] of Object.entries(active)) {
    if (subject.includes(s)) throw new TemplateError(`${template.file}: <mj-title> (the subject) cannot use per-subscriber variable "${key}"`);
  }
  const text = htmlToText(html);
  const site = config.site.url;

  return composePrepared(
    {
      headers: sender.headers(subject),
      trailingHeaders: sender.listHeaders(kind, subscribed),
      html,
      text,
      sentinels: active,
      envelopeFrom: sender.from,
      dkim: sender.dkim,
      perRecipient(r: Recipient) {
        const to = checkAddress(r.email, `recipient ${r.id}`);
        // Each confirm/welcome email is a new message: a random Message-ID part.
        const messageId = `<${kind}.${r.id}.${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}@${sender.domain}>`;
        const values: Record<string, string> = { name: r.name ? oneLine(r.name) : '', email: to };
        const headers = [field('To', addressLine('To', r.name, to)), field('Message-ID', `Message-ID: ${messageId}`)];
        if (subscribed) {
          const token = signToken(secret, r.id, 'unsubscribe');
          values.unsubscribe_url = `${site}unsubscribe?token=${token}`;
          values.preferences_url = `${site}preferences?token=${signToken(secret, r.id, 'preferences')}`;
          headers.push(sender.listUnsubscribe(values.unsubscribe_url, token));
        } else {
          values.confirm_url = `${site}confirm?token=${signToken(secret, r.id, 'confirm', Date.now() + CONFIRM_TOKEN_TTL_MS)}`;
        }
        return { values, headers, messageId, envelopeTo: to };
      },
    },
    subject,
  );
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}
