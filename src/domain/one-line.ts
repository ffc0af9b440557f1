// The one rule for putting outside text on a single line: an email header, a log field, an SMTP
// reply in the ledger, a DSN's diagnostic, a row of `subscribers list`. A leaf module, so what
// renders a subject (used by `pressroom check`) loads nothing else.

/** Line breaks (CR, LF, U+2028, U+2029), tabs and other control characters become spaces; runs of spaces one; trimmed. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value
    .replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** oneLine, cut to at most `max` characters (an ellipsis marks the cut); null when nothing is left. */
export function boundedLine(text: string | null | undefined, max = 500): string | null {
  if (text === null || text === undefined) return null;
  const line = oneLine(text);
  if (line === '') return null;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
