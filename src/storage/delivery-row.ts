// The ledger row as both adapters' SQL returns it (snake_case columns, epoch-ms numbers), and its
// mapping to the Delivery the rest of Pressroom sees.
import type { Delivery, DeliveryState } from './store.js';

export interface DeliveryRow {
  campaign_id: number;
  subscriber_id: number;
  email: string;
  name: string | null;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number | null;
  smtp_code: number | null;
  smtp_response: string | null;
  worker_id: string | null;
  lease_until: number | null;
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    campaignId: r.campaign_id,
    subscriberId: r.subscriber_id,
    email: r.email,
    name: r.name,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    smtpCode: r.smtp_code,
    smtpResponse: r.smtp_response,
    workerId: r.worker_id,
    leaseUntil: r.lease_until,
  };
}
