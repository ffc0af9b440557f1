// A leaf module, so what renders a subject (subject.ts, used by `pressroom check`) does not load the MIME code and nodemailer.
/** Removes CR, LF and other control characters so a value can never start a new header line. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
