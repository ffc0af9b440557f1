// Text hygiene shared by every feed format and the archive: characters XML 1.0 forbids make a
// document not well-formed (and JSON readers choke on them), so every string we emit goes
// through cleanText() - in the XML writer (xml.ts), the page encoders (src/templates/escape.ts)
// and JSON Feed. Escaping itself is the XML writer's and the templates' job.
import { decodeHTML } from 'entities';

// C0 controls except tab, LF and CR; U+FFFE/U+FFFF; unpaired surrogates.
// None of these may appear in an XML 1.0 document, and JSON readers choke on them too.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Cheap first look: the full pattern (with its look-arounds for surrogates) is slow on long
// bodies, and almost every string is clean.
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes characters that XML 1.0 forbids. */
export function cleanText(value: string): string {
  return SUSPECT.test(value) ? value.replace(FORBIDDEN, '') : value;
}

/** Elements whose text is not prose: a summary built from the body leaves them out. */
const NOT_PROSE = /<(pre|code|script|style|figure|table)\b[^>]*>[\s\S]*?<\/\1>/gi;

/** The text a reader sees in sanitized HTML, code included: tags removed, entities decoded, spaces folded. */
export function plainTextOf(html: string): string {
  return decodeHTML(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The first `max` characters of an issue's text, for an RSS item without a description (the W3C
 * validator asks for <description> before content:encoded). The body is the sanitized HTML, so
 * removing its tags and decoding its entities gives the text a reader would see.
 */
export function excerptOf(html: string, max = 280): string {
  const text = plainTextOf(html.replace(NOT_PROSE, ' '));
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
