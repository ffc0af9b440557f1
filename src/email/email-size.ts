// The size of an issue's email HTML, as sending renders it, for `pressroom check --email` (the
// Gmail clipping rule in src/content/preflight.ts). MJML runs once for the template, then each
// issue is one Liquid render; the per-recipient values are filled with ones as long as a real
// subscriber's (an address, signed links), so the count is what a subscriber's copy carries.
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { compileIssueTemplate, issueTemplateValues } from './issue-email.js';

/** Bytes of the HTML part of each issue's email, in the order given. Throws TemplateError for a broken template. */
export async function emailHtmlBytes(config: Config, issues: Issue[]): Promise<number[]> {
  if (issues.length === 0) return [];
  const template = await compileIssueTemplate(config);
  // A signed token is ~50 characters (src/email/tokens.ts); the address is a long-ish one.
  const link = (route: string) => new URL(`${route}?token=${'x'.repeat(50)}`, config.site.url).href;
  const recipient = { name: 'A Subscriber', email: 'a.subscriber@mail.example.org', unsubscribe_url: link('unsubscribe'), preferences_url: link('preferences') };
  return issues.map((issue) => Buffer.byteLength(template.render(issueTemplateValues(config, issue, recipient))));
}
