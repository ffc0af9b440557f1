// What the console's issue page shows of one issue: its email as a subscriber gets it (HTML for the
// sandboxed frame, the text part, the headers) and its recipients per topic.
import { issueTopics, type Issue } from '../../content/issue.js';
import { recipientCounter, type RecipientCounts } from '../../domain/recipients.js';
import type { prepareIssueEmail } from '../../email/issue-email.js';
import { SAMPLE_SUBSCRIBER } from '../../email/message.js';
import { TemplateError } from '../../email/template-error.js';
import type { Store } from '../../storage/store.js';
import type { ServerContext } from '../context.js';

export interface EmailPreview {
  html: string;
  text: string;
  /** The header block of the complete message, as sent (DKIM signature included when configured). */
  headers: string;
}

/** The preview, or the template's one-line error (what `pressroom preview` prints) when the email cannot be rendered. */
export async function emailPreview(ctx: ServerContext, issue: Issue): Promise<EmailPreview | { error: string }> {
  let prepared: Awaited<ReturnType<typeof prepareIssueEmail>>;
  try {
    // Loaded on the first preview: the rendering libraries stay out of the serving process until then.
    const { prepareIssueEmail: prepare } = await import('../../email/issue-email.js');
    prepared = await prepare(ctx.config, issue, ctx.secret);
  } catch (err) {
    if (err instanceof TemplateError) return { error: err.message };
    throw err;
  }
  const parts = prepared.partsFor(SAMPLE_SUBSCRIBER);
  const raw = prepared.messageFor(SAMPLE_SUBSCRIBER).raw.toString('utf8');
  const end = raw.indexOf('\r\n\r\n');
  return { html: parts.html, text: parts.text, headers: (end < 0 ? raw : raw.slice(0, end)).replace(/\r\n/g, '\n') };
}

/** Who would get the issue if it were sent now, read page by page like `pressroom send --dry-run`. */
export async function recipientCounts(store: Store, issue: Issue): Promise<RecipientCounts> {
  const counter = recipientCounter(issueTopics(issue));
  let afterId = 0;
  for (;;) {
    const page = await store.listSubscribers({ status: 'active', afterId, limit: 5000 });
    if (page.length === 0) break;
    for (const s of page) counter.add(s);
    afterId = page[page.length - 1]!.id;
  }
  return counter.counts();
}
