// SMTP replies (RFC 5321 section 4.2) read incrementally from the socket: "250-first line",
// "250 last line". Pure: bytes in, complete replies out, in the order the server sent them.

export interface Reply {
  code: number;
  /** The reply's lines without code and separator, e.g. ['2.0.0 Ok: queued as 12']. */
  lines: string[];
  /** The whole reply as the server wrote it, lines joined by "\n" (kept in the ledger). */
  text: string;
}

/** Turns chunks of server output into replies; a reply split across chunks is kept until complete. */
export class ReplyParser {
  private partial = '';
  private lines: string[] = [];
  private texts: string[] = [];

  /** The replies completed by `chunk`. A line that is no reply line at all becomes a reply with code 0 (a protocol error). */
  push(chunk: Buffer): Reply[] {
    const replies: Reply[] = [];
    let data = this.partial + chunk.toString('latin1');
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      const line = data.charCodeAt(end - 1) === 13 ? data.slice(start, end - 1) : data.slice(start, end);
      start = end + 1;
      const reply = this.line(line);
      if (reply) replies.push(reply);
    }
    data = data.slice(start);
    this.partial = data;
    return replies;
  }

  private line(line: string): Reply | null {
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    if (!m) {
      this.lines = [];
      this.texts = [];
      return { code: 0, lines: [line], text: line };
    }
    this.lines.push(m[3]!);
    this.texts.push(line);
    if (m[2] === '-') return null;
    const reply = { code: Number(m[1]), lines: this.lines, text: this.texts.join('\n') };
    this.lines = [];
    this.texts = [];
    return reply;
  }
}

/** What an EHLO reply offers: extension keywords (upper case) and the AUTH mechanisms. */
export interface Capabilities {
  pipelining: boolean;
  starttls: boolean;
  auth: string[];
}

export function capabilities(ehlo: Reply | null): Capabilities {
  const keywords = (ehlo?.lines.slice(1) ?? []).map((l) => l.trim().toUpperCase());
  const auth = keywords.find((k) => k.startsWith('AUTH ') || k.startsWith('AUTH='));
  return {
    pipelining: keywords.some((k) => k === 'PIPELINING'),
    starttls: keywords.some((k) => k === 'STARTTLS'),
    auth: auth ? auth.slice(5).split(/\s+/).filter(Boolean) : [],
  };
}
