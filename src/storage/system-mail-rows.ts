// System mail queue rows as both adapters' SQL returns them (snake_case, epoch-ms numbers).
import type { DeliveryState, SystemMail, SystemMailKind } from './store.js';

export interface SystemMailRow {
  id: number;
  kind: SystemMailKind;
  subscriber_id: number;
  state: DeliveryState;
  attempts: number;
  created_at: string | Date;
  next_attempt_at: number | null;
  smtp_code: number | null;
  smtp_response: string | null;
  worker_id: string | null;
  lease_until: number | null;
}

export function toSystemMail(r: SystemMailRow): SystemMail {
  return {
    id: r.id,
    kind: r.kind,
    subscriberId: r.subscriber_id,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at,
    nextAttemptAt: r.next_attempt_at,
    smtpCode: r.smtp_code,
    smtpResponse: r.smtp_response,
    workerId: r.worker_id,
    leaseUntil: r.lease_until,
  };
}
