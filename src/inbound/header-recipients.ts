// Whom a message in the bounce mailbox was delivered to. Over SMTP the receiver knows the RCPT TO;
// a mailbox at a provider only keeps what the delivering servers wrote into the header: the
// Delivered-To and X-Original-To lines (the envelope recipient, with the VERP token when the
// provider keeps plus-addresses) and, last, To (a DSN is addressed to the envelope sender of the
// message that bounced, which is the VERP address too). Only the message's own header is read,
// never the header of the original message a report carries inside it.

/** In the order they are trusted: the envelope recipient first, the To header last. */
const RECIPIENT_HEADERS = ['delivered-to', 'x-original-to', 'to'] as const;

/** Bounds what a hostile header can make us hand on. */
const MAX_RECIPIENTS = 20;

/** The header block of a raw message: everything before the first empty line. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** Splits a header value at the commas between addresses (not those inside a quoted name or <...>). */
function mailboxes(value: string): string[] {
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  let angled = false;
  for (const char of value) {
    if (char === '"' && !angled) quoted = !quoted;
    else if (char === '<' && !quoted) angled = true;
    else if (char === '>' && !quoted) angled = false;
    if (char === ',' && !quoted && !angled) {
      parts.push(part);
      part = '';
    } else part += char;
  }
  return [...parts, part];
}

/** `"Name, N." <a@b>, c@d` -> ['a@b', 'c@d']: the address in angle brackets, else the bare one. */
function addressesIn(value: string): string[] {
  const found: string[] = [];
  for (const mailbox of mailboxes(value)) {
    const address = /<([^<>\s]+)>/.exec(mailbox)?.[1] ?? mailbox.trim();
    if (/^[^\s@"<>,;]+@[^\s@"<>,;]+$/.test(address)) found.push(address);
  }
  return found;
}

export function headerRecipients(raw: Buffer): string[] {
  const lines = headerBlock(raw)
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/);
  const found = new Map<string, string>();
  for (const name of RECIPIENT_HEADERS) {
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== name) continue;
      for (const address of addressesIn(line.slice(colon + 1))) {
        if (!found.has(address.toLowerCase())) found.set(address.toLowerCase(), address);
      }
    }
  }
  return [...found.values()].slice(0, MAX_RECIPIENTS);
}
