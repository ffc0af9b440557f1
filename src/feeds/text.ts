// Text hygiene shared by every feed format and the archive.
// feed 6.0.0 passes control characters straight into XML (which makes the document
// not well-formed) and only escapes `&` in attributes, so every string we emit goes
// through cleanText() and one of the escapers below.

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

/** Escapes text content for XML or HTML (after removing forbidden characters). */
export function escapeText(value: string): string {
  return cleanText(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a double-quoted attribute value for XML or HTML. */
export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}
