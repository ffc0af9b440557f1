// The events Pressroom tells an operator's own endpoint about (outbound webhooks, signed per the
// Standard Webhooks spec: src/webhooks/outbound/). The contract between the store, which records
// an event in the same transaction as the change it reports, and the dispatcher, which delivers it.

export const EVENT_TYPES = [
  'campaign.started',
  'campaign.paused',
  'campaign.finished',
  'subscriber.confirmed',
  'subscriber.unsubscribed',
  'subscriber.bounced',
  'subscriber.complained',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an event says about a campaign. */
export interface CampaignEventData {
  campaign: { id: number; slug: string; reason?: string | null };
}

/** What an event says about a subscriber: the address, so a CRM can match it (erasure deletes queued events). */
export interface SubscriberEventData {
  subscriber: { id: number; email: string; status: string };
}

/** The body every endpoint receives: the Standard Webhooks shape. */
export interface EventPayload {
  type: EventType;
  /** RFC 3339, when the change happened. */
  timestamp: string;
  data: CampaignEventData | SubscriberEventData;
}

/** A queued event as the dispatcher claims it. */
export interface QueuedEvent {
  id: number;
  /** The Standard Webhooks message id (`webhook-id`): the same on every attempt, for the receiver to dedupe. */
  msgId: string;
  type: EventType;
  /** The JSON body, exactly as signed and sent. */
  payload: string;
  attempts: number;
}

/** The queue's state, for `status --json`, the API and the console. */
export interface EventQueueReport {
  queued: number;
  retrying: number;
  delivered: number;
  failed: number;
  /** The newest failures (given up or still retrying), newest first. */
  recentFailures: Array<{ msgId: string; type: EventType; attempts: number; lastStatus: number | null; lastError: string | null; createdAt: string }>;
}

/** What the dispatcher needs of the store (src/storage/core/events.ts); every Store is one. */
export interface EventQueue {
  /** Moves up to `limit` due events to `sending` (one attempt counted) under a lease, and returns them. */
  claimEvents(workerId: string, limit: number, leaseMs: number, now?: number): Promise<QueuedEvent[]>;
  markEventDelivered(id: number, status: number, now?: Date): Promise<void>;
  markEventRetry(id: number, nextAttemptAt: number, status: number | null, error: string): Promise<void>;
  markEventFailed(id: number, status: number | null, error: string): Promise<void>;
  /** When the next event is due (epoch ms; a leased one when its lease ends), or null when none waits. */
  nextEventDueAt(): Promise<number | null>;
  /** Removes events created before `before`: finished ones, and with `queuedToo` every one. Returns how many. */
  pruneEvents(before: Date, queuedToo: boolean): Promise<number>;
  eventQueueReport(): Promise<EventQueueReport>;
}
