// What every provider module shares: reading a JSON payload whose shape nobody guarantees, and
// what a reading of one request is (the events to record, and what was left aside and why).
import { createHash } from 'node:crypto';
import type { FeedbackEvent } from '../domain/feedback.js';

/** A verified payload that is not what the provider documents: the route answers 400 with this message. */
export class PayloadError extends Error {}

export interface WebhookReading {
  events: FeedbackEvent[];
  /** Items not about a bounce or complaint (deliveries, opens...), one short reason each: logged at debug. */
  ignored: string[];
  /** Items that were about one but could not be used as sent (a forged token...), one reason each: logged at warn. */
  problems: string[];
}

/**
 * What a route's handler made of a request: a reading to record (`undo` gives back what the check
 * kept, when recording fails), a refusal (`challenge`: the WWW-Authenticate to send), or
 * `answered`: verified, nothing to record, logged at info (an SNS subscription confirmed).
 */
export type Verdict = { reading: WebhookReading; undo?: () => void } | { refuse: 400 | 401 | 403 | 503; why: string; challenge?: string } | { answered: string };

export function emptyReading(): WebhookReading {
  return { events: [], ignored: [], problems: [] };
}

export type Json = Record<string, unknown>;

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PayloadError('the body is not JSON');
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, where: string): Json {
  if (!isObject(value)) throw new PayloadError(`${where} is not an object`);
  return value;
}

/** A non-empty string, or null when absent or of another type. */
export function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function requiredString(object: Json, key: string, where: string): string {
  const value = stringOr(object[key]);
  if (value === null) throw new PayloadError(`${where}.${key} is missing or not a string`);
  return value;
}

/** An ISO 8601 string or Unix seconds (Mailgun and SendGrid send numbers, sometimes with a fraction); `fallback` when neither. */
export function dateOr(value: unknown, fallback: Date): Date {
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : fallback;
}

/** The first RFC 3463 enhanced status code in a remote server's words (`550 5.1.1 user unknown` -> `5.1.1`). */
export function enhancedStatusIn(text: string | null): string | null {
  return text ? (/\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? null) : null;
}

/**
 * A stable, address-free name for a recipient inside one provider event that names several: event
 * ids are logged and kept after an erasure, the address must not be.
 */
export function recipientKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16);
}
