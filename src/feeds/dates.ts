// Feed dates keep the author's own offset: Atom and JSON Feed use RFC 3339 as the loader
// wrote it (2022-11-04T15:00:00+08:00), RSS uses RFC 822 with a numeric zone
// (Fri, 04 Nov 2022 15:00:00 +0800). feed 6.0.0 would print UTC (toISOString / toUTCString).
import type { IssueDate } from '../content/issue.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Used as `updated` of a feed with no items: a fixed value, never the build time. */
export const EPOCH: IssueDate = { iso: '1970-01-01T00:00:00Z', epochMs: 0, offset: 'Z' };

/** Offset in minutes east of UTC for "Z", "+08:00", "-0530". */
export function offsetMinutes(offset: string): number {
  if (offset === 'Z' || offset === 'z') return 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(offset);
  if (!m) throw new Error(`offset "${offset}" is not of the form Z or +08:00`);
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3]));
}

/** Wall-clock fields of the instant as seen in the issue's own offset. */
function wallClock(date: IssueDate): Date {
  return new Date(date.epochMs + offsetMinutes(date.offset) * 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 in the issue's own offset, seconds precision (fractions only when present). */
export function rfc3339(date: IssueDate): string {
  const w = wallClock(date);
  const ms = w.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3)}` : '';
  const minutes = offsetMinutes(date.offset);
  const zone = minutes === 0 && (date.offset === 'Z' || date.offset === 'z') ? 'Z' : formatOffset(minutes, ':');
  return (
    `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}` +
    `T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}${frac}${zone}`
  );
}

/** RFC 822 (as updated by RFC 1123: four-digit year) with a numeric zone. */
export function rfc822(date: IssueDate): string {
  const w = wallClock(date);
  return (
    `${DAYS[w.getUTCDay()]}, ${pad(w.getUTCDate())} ${MONTHS[w.getUTCMonth()]} ${pad(w.getUTCFullYear(), 4)} ` +
    `${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())} ` +
    formatOffset(offsetMinutes(date.offset), '')
  );
}

/** Human date for the archive, e.g. 2022-11-04 (in the issue's own offset). */
export function displayDate(date: IssueDate): string {
  return rfc3339(date).slice(0, 10);
}

function formatOffset(minutes: number, sep: string): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${sep}${pad(abs % 60)}`;
}
