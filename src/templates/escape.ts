// The HTML encoders, the only place in src that turns text into HTML by hand. Pages call them only
// through their templates (src/templates/engine.ts), which pick the encoder for the context each
// output sits in (html-context.ts), so a template cannot forget to escape. Email is the one other
// caller: its HTML is rendered once per campaign and per-recipient values are spliced in later
// (src/email/compose.ts), where no template runs.
import { cleanText } from '../feeds/text.js';

/** How one family of pages writes text and double-quoted attribute values. */
export interface HtmlEncoding {
  text(value: string): string;
  attribute(value: string): string;
}

const NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * The site's encoding (archive and service pages alike): named references; quotes stay literal in text (titles read as written
 * in the page source) and become &quot; in attributes. Characters XML 1.0 forbids are dropped.
 */
export const NAMED_ENCODING: HtmlEncoding = {
  text: (value) => cleanText(value).replace(/[&<>]/g, (c) => NAMED[c]!),
  attribute: (value) => cleanText(value).replace(/[&<>"]/g, (c) => NAMED[c]!),
};

const HTML_VALUE: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A per-recipient value (a name) spliced into email HTML rendered once: text or attribute safe. */
export function htmlValue(value: string): string {
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (c) => HTML_VALUE[c]!) : value;
}
