// Subscriber and campaign rows as both databases return them (snake_case; SQLite gives ISO text
// and JSON topics, PostgreSQL Dates and text[]), and their mapping to what the rest of Pressroom sees.
import type { Campaign, Subscriber, SubscriberStatus } from '../store.js';

export const SUBSCRIBER_COLUMNS = `id, email, name, status, topics, created_at, confirmed_at, unsubscribed_at, source`;
export const CAMPAIGN_COLUMNS = `id, slug, title, created_at, started_at, finished_at, recipients, transport, paused_at, pause_reason, cancelled_at, issue_date`;
export const DELIVERY_COLUMNS = `campaign_id, subscriber_id, email, name, state, attempts,
  next_attempt_at, smtp_code, smtp_response, worker_id, lease_until`;
export const SYSTEM_MAIL_COLUMNS = `id, kind, subscriber_id, state, attempts, created_at, next_attempt_at, smtp_code,
  smtp_response, worker_id, lease_until`;

type Time = string | Date;

export interface SubscriberRow {
  id: number;
  email: string;
  name: string | null;
  status: SubscriberStatus;
  topics: string | string[];
  created_at: Time;
  confirmed_at: Time | null;
  unsubscribed_at: Time | null;
  source: string | null;
}

export interface CampaignRow {
  id: number;
  slug: string;
  title: string;
  created_at: Time;
  started_at: Time | null;
  finished_at: Time | null;
  recipients: number;
  transport: string | null;
  paused_at: Time | null;
  pause_reason: string | null;
  cancelled_at: Time | null;
  issue_date: string | null;
}

export function iso(t: Time): string;
export function iso(t: Time | null): string | null;
export function iso(t: Time | null): string | null {
  return t instanceof Date ? t.toISOString() : t;
}

export function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    status: r.status,
    topics: typeof r.topics === 'string' ? (JSON.parse(r.topics) as string[]) : r.topics,
    createdAt: iso(r.created_at),
    confirmedAt: iso(r.confirmed_at),
    unsubscribedAt: iso(r.unsubscribed_at),
    source: r.source,
  };
}

export function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    createdAt: iso(r.created_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    recipients: r.recipients,
    transport: r.transport,
    pausedAt: iso(r.paused_at),
    pauseReason: r.pause_reason,
    cancelledAt: iso(r.cancelled_at),
    issueDate: r.issue_date,
  };
}

export function mapOrNull<R, T>(row: R | undefined, map: (r: R) => T): T | null {
  return row === undefined ? null : map(row);
}
