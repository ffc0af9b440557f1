// Issue dates as Hugo and Jekyll accept them, keeping the author's own UTC offset.
// Accepted: 2022-11-04T15:00:00+08:00, 2022-11-04T15:00:00Z, 2022-11-04 15:00:00 +0800,
// 2022-11-04 15:00 +08:00, 2022-11-04T15:00:00 (no offset) and 2022-11-04 (bare date).
// Without an offset the time is read in the configured time zone.
import type { IssueDate } from './issue.js';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export const DATE_EXAMPLE = '2022-11-04T15:00:00+08:00';

/** Returns null when the text is not a date in one of the accepted forms. */
export function parseIssueDate(text: string, timeZone: string): IssueDate | null {
  const m = PATTERN.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (!validParts(year!, month!, day!, hour, minute, second)) return null;

  const wallClockMs = utcMs(year!, month! - 1, day!, hour, minute, second) + Math.round(fraction);
  const zone = m[8];
  let offsetMinutes: number;
  let offsetText: string;
  if (zone === undefined) {
    offsetMinutes = zoneOffsetAtWallClock(timeZone, wallClockMs);
    offsetText = formatOffset(offsetMinutes);
  } else if (zone === 'Z' || zone === 'z') {
    offsetMinutes = 0;
    offsetText = 'Z';
  } else {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    const hours = Number(digits.slice(1, 3));
    const minutes = digits.length > 3 ? Number(digits.slice(3, 5)) : 0;
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = sign * (hours * 60 + minutes);
    offsetText = formatOffset(offsetMinutes);
  }
  const epochMs = wallClockMs - offsetMinutes * 60_000;
  return { iso: formatIso(epochMs, offsetMinutes, offsetText), epochMs, offset: offsetText };
}

/** A Date from a parser that already resolved the instant (TOML, some YAML): shown in UTC. */
export function issueDateFromInstant(date: Date): IssueDate | null {
  const epochMs = date.getTime();
  if (Number.isNaN(epochMs)) return null;
  return { iso: formatIso(epochMs, 0, 'Z'), epochMs, offset: 'Z' };
}

/** The year as written, from an IssueDate's own text (the author's wall clock, not UTC). */
export function yearOf(date: IssueDate): number {
  return Number(/^([+-]?\d+)-/.exec(date.iso)?.[1] ?? Number.NaN);
}

/** Date.UTC reads years 0-99 as 1900-1999; the year given here is kept as it is. */
function utcMs(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second));
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  const daysInMonth = new Date(utcMs(y, mo, 0)).getUTCDate();
  return d <= daysInMonth;
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return '+00:00';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function formatIso(epochMs: number, offsetMinutes: number, offsetText: string): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const date = `${padYear(local.getUTCFullYear())}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date}T${time}${offsetText}`;
}

function padYear(year: number): string {
  return year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset in minutes of `timeZone` at the given instant. */
function zoneOffsetAt(timeZone: string, epochMs: number): number {
  let fmt = offsetFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, fmt);
  }
  const name = fmt.formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** Offset of `timeZone` for a wall-clock time; two passes settle daylight-saving edges. */
function zoneOffsetAtWallClock(timeZone: string, wallClockMs: number): number {
  const first = zoneOffsetAt(timeZone, wallClockMs);
  return zoneOffsetAt(timeZone, wallClockMs - first * 60_000);
}
