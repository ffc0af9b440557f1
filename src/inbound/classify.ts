// Hard or soft: one rule for every bounce format. An RFC 3463 enhanced status code decides when
// there is one (class 4 = temporary = soft; class 5 = permanent = hard, except X.2.2 "mailbox
// full", which fixes itself when the reader makes room); without one, the words of the remote
// server do, then its basic SMTP reply code.

export type BounceKind = 'hard-bounce' | 'soft-bounce';

// Not inside an IP address (`[10.5.1.1]`), which looks the same.
const STATUS_RE = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)/;

/** The first RFC 3463 status code in `text` (`5.1.1`), or null. */
export function enhancedStatus(text: string | null): string | null {
  const m = text ? STATUS_RE.exec(text) : null;
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

// Words servers use for a full or temporarily unavailable mailbox (Exim, Postfix, Exchange, Gmail, Yahoo).
const SOFT_WORDS =
  /mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?(storage|quota)|insufficient (disk )?(space|storage)|not enough (disk )?space|out of storage|temporar(y|ily)|try again later|greylist|deferred|delayed|still undelivered|will (keep )?(re)?try/i;
const HARD_WORDS =
  /user unknown|unknown (user|recipient)|no such (user|mailbox|recipient|address)|does not exist|doesn't exist|not recognized|address rejected|invalid (recipient|mailbox|address)|mailbox (unavailable|not found|disabled)|account (has been )?disabled|permanent(ly)? (error|failure|fatal)|failed permanently/i;
const SMTP_CODE_RE = /\b([45])[0-9]{2}(?:[ -]|$)/m;

/** The kind of a failure from its status code (preferred) or its text; null when neither tells. */
export function bounceKind(status: string | null, text: string | null): BounceKind | null {
  if (status) {
    if (status.startsWith('4.') || /^5\.2\.2$/.test(status)) return 'soft-bounce';
    if (status.startsWith('5.')) return 'hard-bounce';
  }
  if (text) {
    if (SOFT_WORDS.test(text)) return 'soft-bounce';
    if (HARD_WORDS.test(text)) return 'hard-bounce';
    const code = SMTP_CODE_RE.exec(text);
    if (code) return code[1] === '4' ? 'soft-bounce' : 'hard-bounce';
  }
  return null;
}

/** The line of `text` that carries the reason (its status code, else its telling words), for the diagnostic. */
export function reasonLine(text: string): string | null {
  const lines = text.split(/\r?\n/);
  const at = (re: RegExp) => lines.findIndex((line) => re.test(line));
  let i = at(STATUS_RE);
  if (i < 0) i = at(SMTP_CODE_RE);
  if (i < 0) i = at(SOFT_WORDS);
  if (i < 0) i = at(HARD_WORDS);
  if (i < 0) return null;
  // A server's reply is often wrapped over the next indented lines.
  let line = lines[i]!.trim();
  for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]!) && j <= i + 2; j++) line += ` ${lines[j]!.trim()}`;
  return line;
}
