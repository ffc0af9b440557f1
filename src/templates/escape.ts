// The HTML encoders behind the page templates (src/templates/engine.ts), the only place in src
// that turns text into HTML by hand. Nothing else calls them: templates pick the encoder for
// the context each output sits in (html-context.ts), so a template cannot forget to escape.
import { cleanText } from '../feeds/text.js';

/** How one family of pages writes text and double-quoted attribute values. */
export interface HtmlEncoding {
  text(value: string): string;
  attribute(value: string): string;
}

const NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * The archive's encoding: named references; quotes stay literal in text (titles read as written
 * in the page source) and become &quot; in attributes. Characters XML 1.0 forbids are dropped.
 */
export const NAMED_ENCODING: HtmlEncoding = {
  text: (value) => cleanText(value).replace(/[&<>]/g, (c) => NAMED[c]!),
  attribute: (value) => cleanText(value).replace(/[&<>"]/g, (c) => NAMED[c]!),
};

const numeric = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The service pages' encoding: numeric references for all five characters, in every context. */
export const NUMERIC_ENCODING: HtmlEncoding = { text: numeric, attribute: numeric };
