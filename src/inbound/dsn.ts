// RFC 3464 delivery status notifications (multipart/report; report-type=delivery-status): one
// entry per recipient the report says failed (Action: failed) or is still waiting (Action:
// delayed: always soft). Relayed, delivered and expanded recipients are no bounce.
import { addressValue, field, fieldGroups } from './fields.js';
import { bounceKind, enhancedStatus, type BounceKind } from './classify.js';

export interface ReportedBounce {
  /** The address the report names (Final-Recipient, else Original-Recipient), or null. */
  recipient: string | null;
  kind: BounceKind;
  status: string | null;
  diagnostic: string | null;
}

/** The failed and delayed recipients of a message/delivery-status body. */
export function readDeliveryStatus(text: string): ReportedBounce[] {
  const bounces: ReportedBounce[] = [];
  // The first group is about the message (Reporting-MTA...); each later one names a recipient.
  for (const group of fieldGroups(text)) {
    const action = field(group, 'action')?.toLowerCase().trim();
    if (action !== 'failed' && action !== 'delayed') continue;
    // `smtp; 550 5.1.1 ...`; a bare `smtp;` says nothing.
    const diagnostic = /^[a-z0-9-]*\s*;?\s*$/i.test(field(group, 'diagnostic-code') ?? '') ? null : field(group, 'diagnostic-code');
    const status = enhancedStatus(field(group, 'status')) ?? enhancedStatus(diagnostic);
    const kind = action === 'delayed' ? 'soft-bounce' : (bounceKind(status, diagnostic) ?? 'hard-bounce');
    const recipient = addressValue(field(group, 'final-recipient')) ?? addressValue(field(group, 'original-recipient'));
    bounces.push({ recipient, kind, status, diagnostic });
  }
  return bounces;
}
