// The first pass of a CSV import: reads the raw bytes once, line by line, and finds what csv-parse
// would either import silently or never recover from:
//   - invalid UTF-8 and NUL bytes (csv-parse would decode them to U+FFFD / keep them),
//   - lines longer than a row can be (a 200 MB name must not reach the parser, let alone a message),
//   - a quoted field that is never closed: csv-parse reads it to the end of the file, swallowing
//     every row after it, and reports it where the file ends. Here it is reported on the line it
//     opens, and only that line is given up.
// The import pass then blanks those lines (csv-parse skips blank lines, so line numbers stay
// right) and skips records that touch a bad line. Quote tracking follows csv-parse's rules: a
// quote at the start of a field opens it, `""` inside is a quote, the next lone quote closes it.
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

/** No valid row comes near this: email 254, name 200, 50 topics of 64 characters, UTF-8. */
export const MAX_ROW_BYTES = 16 * 1024;

export interface ScanProblem {
  line: number;
  message: string;
}

export interface ScanResult {
  problems: ScanProblem[];
  /** Lines csv-parse must not see (an unclosed quote opens there, or the line is too long). */
  blank: Set<number>;
  /** Lines whose bytes are not text; a record touching one is skipped. */
  unreadable: Set<number>;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export class CsvScanner {
  private readonly result: ScanResult = { problems: [], blank: new Set(), unreadable: new Set() };
  private line = 1;
  private current: Buffer[] = [];
  private currentBytes = 0;
  private tooLong = false;
  // Quote state carried across lines while a quoted field is open.
  private inQuotes = false;
  private atFieldStart = true;
  private openedAt = 0;
  /** Lines read since the open quote's line, kept (at most MAX_ROW_BYTES) to scan again if it never closes. */
  private sinceOpen: Array<{ line: number; bytes: Buffer }> = [];
  private sinceOpenBytes = 0;

  push(chunk: Buffer): void {
    let start = 0;
    // The line the previous chunk ended in is finished the slow way; the rest may take the fast path.
    if (this.currentBytes > 0 || this.tooLong || this.line === 1) {
      const i = chunk.indexOf(LF);
      if (i < 0) return this.take(chunk);
      this.take(chunk.subarray(0, i));
      this.endLine();
      start = i + 1;
    }
    const lastBreak = chunk.lastIndexOf(LF);
    if (lastBreak >= start && !this.inQuotes && this.plainLines(chunk.subarray(start, lastBreak + 1))) {
      start = lastBreak + 1;
    }
    for (let i = chunk.indexOf(LF, start); i >= 0; i = chunk.indexOf(LF, start)) {
      this.take(chunk.subarray(start, i));
      this.endLine();
      start = i + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** The usual case, checked for whole runs of lines at once: UTF-8 text, no NUL, no quote, short lines. Counts them when so. */
  private plainLines(lines: Buffer): boolean {
    if (lines.indexOf(QUOTE) >= 0 || lines.indexOf(0) >= 0 || !isUtf8(lines)) return false;
    let count = 0;
    let from = 0;
    for (let i = lines.indexOf(LF); i >= 0; i = lines.indexOf(LF, from)) {
      if (i - from > MAX_ROW_BYTES) return false;
      count++;
      from = i + 1;
    }
    this.line += count;
    return true;
  }

  end(): ScanResult {
    if (this.currentBytes > 0 || this.tooLong) this.endLine();
    while (this.inQuotes) this.giveUpOpenQuote('is never closed');
    this.result.problems.sort((a, b) => a.line - b.line);
    return this.result;
  }

  private take(part: Buffer): void {
    if (this.tooLong) return;
    this.currentBytes += part.length;
    if (this.currentBytes > MAX_ROW_BYTES) {
      this.tooLong = true;
      this.current = [];
      return;
    }
    this.current.push(Buffer.from(part));
  }

  private endLine(): void {
    const line = this.line++;
    const tooLong = this.tooLong;
    let bytes = Buffer.concat(this.current);
    this.current = [];
    this.currentBytes = 0;
    this.tooLong = false;
    if (tooLong) {
      this.problem(line, `CSV: the line is longer than ${MAX_ROW_BYTES / 1024} KiB, more than any row can be`);
      this.result.blank.add(line);
      // Whatever quote was open cannot close in a line we do not read.
      while (this.inQuotes) this.giveUpOpenQuote('is never closed');
      this.atFieldStart = true;
      return;
    }
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
    if (!isUtf8(bytes)) {
      this.problem(line, 'CSV: invalid UTF-8 (save the file as UTF-8)');
      this.result.unreadable.add(line);
    } else if (bytes.includes(0)) {
      this.problem(line, 'CSV: contains a NUL byte');
      this.result.unreadable.add(line);
    }
    this.scanQuotes(line, bytes);
  }

  private scanQuotes(line: number, bytes: Buffer): void {
    if (this.inQuotes) {
      this.sinceOpen.push({ line, bytes });
      this.sinceOpenBytes += bytes.length + 1;
    }
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.inQuotes) {
        if (b !== QUOTE) continue;
        if (bytes[i + 1] === QUOTE) {
          i++;
          continue;
        }
        this.inQuotes = false;
        // After a closing quote only blanks, then a comma or the end of the line (csv-parse's rule).
        let j = i + 1;
        while (bytes[j] === 0x20 || bytes[j] === 0x09) j++;
        if (j < bytes.length && bytes[j] !== COMMA) {
          this.inQuotes = true;
          return this.giveUpOpenQuote(`is closed on line ${line} but followed by more text`);
        }
      } else if (b === QUOTE && this.atFieldStart) {
        this.inQuotes = true;
        this.openedAt = line;
        this.sinceOpen = [];
        this.sinceOpenBytes = 0;
        this.atFieldStart = false;
      } else {
        // csv-parse trims, so blanks before an opening quote still leave it at the field's start.
        this.atFieldStart = b === COMMA || (this.atFieldStart && (b === 0x20 || b === 0x09));
      }
    }
    if (!this.inQuotes) {
      this.atFieldStart = true;
      this.sinceOpen = [];
      this.sinceOpenBytes = 0;
    } else if (this.sinceOpenBytes > MAX_ROW_BYTES) {
      this.giveUpOpenQuote('is never closed');
    }
  }

  /** The open quote does not close properly within a row's size: report its line, then read on from the next line. */
  private giveUpOpenQuote(how: string): void {
    const line = this.openedAt;
    this.problem(line, `CSV: a quoted field opens on this line and ${how}`);
    this.result.blank.add(line);
    const again = this.sinceOpen;
    this.inQuotes = false;
    this.atFieldStart = true;
    this.sinceOpen = [];
    this.sinceOpenBytes = 0;
    for (const l of again) {
      if (this.result.blank.has(l.line)) continue;
      this.scanQuotes(l.line, l.bytes);
    }
  }

  private problem(line: number, message: string): void {
    this.result.problems.push({ line, message });
  }
}

/** Passes the bytes on with the given lines emptied (their line breaks kept, so numbering holds). */
export function blankLines(lines: ReadonlySet<number>): Transform {
  let line = 1;
  return new Transform({
    transform(chunk: Buffer | string, _encoding, done: TransformCallback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (lines.size === 0) return done(null, bytes);
      const out: Buffer[] = [];
      let start = 0;
      for (let i = bytes.indexOf(LF); ; i = bytes.indexOf(LF, start)) {
        const end = i < 0 ? bytes.length : i + 1;
        if (!lines.has(line)) out.push(bytes.subarray(start, end));
        else if (i >= 0) out.push(Buffer.from('\n'));
        if (i < 0) break;
        line++;
        start = end;
      }
      done(null, Buffer.concat(out));
    },
  });
}
