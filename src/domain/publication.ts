// When an issue is public and when it may be emailed, decided once for the build, the worker, the
// CLI (`send`), the operator API and the campaign itself. An issue is published when it is not a
// draft and its date has come; it may be emailed when it is published and its front matter does
// not say `email: false`.

/** The front matter fields the rules read (an Issue from src/content/issue.ts has them all). */
export interface PublicationFields {
  draft: boolean;
  /** false = feeds and archive only. */
  email: boolean;
  date: { epochMs: number };
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
