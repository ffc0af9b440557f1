// When an issue is public and when it may be emailed, decided once for the build, the worker, the
// CLI (`send`), the operator API and the campaign itself. An issue is published when it is not a
// draft and its date has come; it may be emailed when it is published and its front matter does
// not say `email: false`. The worker mails it by itself at its send time (`send_at`, else `date`),
// unless that time is before the worker's first start (the back catalogue) or longer ago than
// `email.maxLatenessHours` (a restored backup, a worker that was down): those only an operator sends.

/** The front matter fields the rules read (an Issue from src/content/issue.ts has them all). */
export interface PublicationFields {
  draft: boolean;
  /** false = feeds and archive only. */
  email: boolean;
  date: { epochMs: number };
  /** front matter `send_at`; never before `date` (src/content/fields.ts). */
  sendAt?: { epochMs: number };
}

/**
 * Why an issue cannot be emailed. The two that hold whatever the date (`draft`, `feeds-only`)
 * come before `scheduled`, which passes by itself: an `email: false` issue dated tomorrow is
 * reported as feeds-only, since waiting will not make it sendable.
 */
export type NotEmailable = 'draft' | 'feeds-only' | 'scheduled';

/** Public in the feeds and the archive at `now` (epoch ms). */
export function isPublished(issue: Pick<PublicationFields, 'draft' | 'date'>, now: number = Date.now()): boolean {
  return !issue.draft && issue.date.epochMs <= now;
}

/** Why the issue will not be emailed whatever the date, or null when it will be once published. */
export function whyNeverEmailed(issue: Pick<PublicationFields, 'draft' | 'email'>): 'draft' | 'feeds-only' | null {
  if (issue.draft) return 'draft';
  if (!issue.email) return 'feeds-only';
  return null;
}

/** Why the issue cannot be emailed at `now` (epoch ms), or null when it can. */
export function whyNotEmailable(issue: PublicationFields, now: number): NotEmailable | null {
  return whyNeverEmailed(issue) ?? (isPublished(issue, now) ? null : 'scheduled');
}

export function isEmailable(issue: PublicationFields, now: number): boolean {
  return whyNotEmailable(issue, now) === null;
}

/** The reason as the end of a one-line message: `issues/x.md: "x" ${notEmailableText(...)}`. */
export function notEmailableText(reason: NotEmailable, issue: { date: { iso: string } }): string {
  switch (reason) {
    case 'draft':
      return 'is a draft; drafts are never emailed';
    case 'feeds-only':
      return 'has email: false; it is never emailed';
    case 'scheduled':
      return `is scheduled for ${issue.date.iso}; it cannot be sent before then`;
  }
}

/** When the worker emails the issue: `send_at`, else `date` (epoch ms). */
export function sendTimeOf(issue: Pick<PublicationFields, 'date' | 'sendAt'>): number {
  return (issue.sendAt ?? issue.date).epochMs;
}

/** What the worker's automatic sending is measured against. */
export interface SendSchedule {
  /** Epoch ms of the first worker start (null before one started): send times before it are the back catalogue. */
  watermark: number | null;
  /** email.maxLatenessHours in ms; 0 = an issue is never too late. */
  maxLatenessMs: number;
}

/**
 * Why the worker does not create the issue's campaign by itself at `now`: never emailed, not yet
 * (`scheduled`: before `date` or before `send_at`), sent before its first start (`back-catalogue`),
 * or its send time passed more than email.maxLatenessHours ago (`too-late`). An operator's
 * `pressroom send` still sends the last two; an unfinished campaign is resumed whatever this says.
 */
export type NotDue = NotEmailable | 'back-catalogue' | 'too-late';

export function whyNotDue(issue: PublicationFields, now: number, schedule: SendSchedule): NotDue | null {
  const refused = whyNotEmailable(issue, now);
  if (refused) return refused;
  const at = sendTimeOf(issue);
  if (at > now) return 'scheduled';
  if (schedule.watermark !== null && at < schedule.watermark) return 'back-catalogue';
  if (schedule.maxLatenessMs > 0 && now - at > schedule.maxLatenessMs) return 'too-late';
  return null;
}

/** email.maxLatenessHours as SendSchedule.maxLatenessMs. */
export function maxLatenessMs(hours: number): number {
  return hours * 3_600_000;
}

/** One line for an issue that is too late: `issues/x.md: "x" ${tooLateText(...)}`. */
export function tooLateText(issue: { slug: string; date: { iso: string }; sendAt?: { iso: string } }, maxLatenessHours: number): string {
  const at = (issue.sendAt ?? issue.date).iso;
  return (
    `was due to be emailed at ${at}, more than ${maxLatenessHours} hours ago (email.maxLatenessHours); ` + `it is not mailed automatically: pressroom send ${issue.slug} sends it`
  );
}
