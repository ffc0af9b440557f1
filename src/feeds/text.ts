// Text hygiene shared by every feed format and the archive: characters XML 1.0 forbids make a
// document not well-formed (and JSON readers choke on them), so every string we emit goes
// through cleanText() - in the XML writer (xml.ts), the page encoders (src/templates/escape.ts)
// and JSON Feed. Escaping itself is the XML writer's and the templates' job.

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
