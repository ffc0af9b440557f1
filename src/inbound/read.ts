// A bounce or complaint message, as it came back to the bounce address (over SMTP or from the IMAP
// mailbox), -> FeedbackEvents. Pure over the bytes: MIME by mailparser, each report format in its
// own module (dsn.ts, arf.ts, bounce-text.ts). Whom an event is about, in order: the VERP token
// of the address the message was delivered to; else the token in the returned message's
// CFBL-Feedback-ID or Return-Path; else, only with inbound.trustReportedAddresses, the recipient
// address the report names. Anyone can send our MX a bounce naming any address, so by default a
// message without a valid token of ours changes nothing. A token that is there but forged or
// mangled makes the whole message ignored (no guess by address): the caller logs the reason.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { FeedbackEvent, FeedbackKind, FeedbackTarget } from '../domain/feedback.js';
import { boundedLine } from '../domain/one-line.js';
import { parseVerpAddress, type VerpCheck } from '../email/verp.js';
import { isComplaint, readFeedbackReport } from './arf.js';
import { looksLikeBounce, readBounceText } from './bounce-text.js';
import { readDeliveryStatus } from './dsn.js';
import { originalMessageToken } from './original.js';

export interface FeedbackMessageContext {
  bounceAddress: string;
  secret: string;
  source: 'smtp' | 'imap';
  /** SMTP: the RCPT TO addresses; IMAP: the To, Delivered-To and X-Original-To headers. */
  recipients: string[];
  receivedAt: Date;
  /** inbound.trustReportedAddresses: a report without a token of ours is attributed by the address it names. */
  trustReportedAddresses?: boolean;
}

export interface FeedbackReading {
  events: FeedbackEvent[];
  /** Why nothing was taken from the message (one line, for a warning), or null. */
  ignored: string | null;
}

/** What a report says, before attribution: one finding per recipient it names. */
interface Finding {
  kind: FeedbackKind;
  recipient: string | null;
  status: string | null;
  diagnostic: string | null;
}

const RETURNED_PARTS = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/rfc822-headers', 'message/global-headers']);

export async function readFeedbackMessage(raw: Buffer, context: FeedbackMessageContext): Promise<FeedbackReading> {
  let mail: ParsedMail;
  try {
    // keepDeliveryStatus: the delivery-status part stays a part of its own instead of joining the text.
    mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch (err) {
    return ignore(`not a readable MIME message (${boundedLine((err as Error).message, 200)})`);
  }
  const read = findingsOf(mail);
  if ('ignored' in read) return ignore(read.ignored);

  const token = tokenOf(mail, raw, context);
  if (token && !token.check.ok)
    return ignore(
      `${token.where} carries a ${token.check.reason === 'bad-signature' ? 'forged VERP token (bad signature)' : 'mangled VERP token (malformed)'}; not attributed by address`,
    );

  const reportId = messageIdOf(mail, raw);
  const event = (finding: Finding, target: FeedbackTarget): FeedbackEvent => ({
    kind: finding.kind,
    target,
    source: context.source,
    // Unique per recipient of one report; the address itself is hashed (event ids are logged, and logs outlive an erasure).
    eventId: finding.recipient ? `${reportId}#${hashOf(finding.recipient.toLowerCase()).slice(0, 16)}` : reportId,
    status: finding.status,
    diagnostic: boundedLine(finding.diagnostic),
    occurredAt: context.receivedAt,
  });
  if (token?.check.ok) {
    // A VERP address names one copy, sent to one recipient: the report's first finding is about it.
    const { campaignId, subscriberId } = token.check;
    return { events: [event(read.findings[0]!, { by: 'token', campaignId, subscriberId })], ignored: null };
  }
  if (!context.trustReportedAddresses)
    return ignore(`${read.format} carries no VERP token of ours; not attributed by the address it names (set inbound.trustReportedAddresses to allow that)`);
  const events = read.findings.filter((f) => f.recipient !== null).map((f) => event(f, { by: 'address', address: f.recipient! }));
  if (events.length === 0) return ignore(`${read.format} names no recipient and carries no VERP token of ours`);
  return { events, ignored: null };
}

function ignore(reason: string): FeedbackReading {
  return { events: [], ignored: reason };
}

type Findings = { format: string; findings: Finding[] } | { ignored: string };

function findingsOf(mail: ParsedMail): Findings {
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const reportType = contentType?.value?.toLowerCase() === 'multipart/report' ? contentType.params?.['report-type']?.toLowerCase() : undefined;
  const part = (type: string) => mail.attachments.find((a) => a.contentType.toLowerCase() === type)?.content.toString('utf8');

  const deliveryStatus = part('message/delivery-status') ?? part('message/global-delivery-status');
  if (reportType === 'delivery-status' || deliveryStatus !== undefined) {
    const findings = readDeliveryStatus(deliveryStatus ?? '');
    if (findings.length === 0) return { ignored: 'a delivery status notification with no failed or delayed recipient: nothing to record' };
    return { format: 'the delivery status notification', findings };
  }
  const feedbackReport = part('message/feedback-report');
  if (reportType === 'feedback-report' || feedbackReport !== undefined) {
    const { feedbackType, recipient } = readFeedbackReport(feedbackReport ?? '');
    if (!isComplaint(feedbackType)) return { ignored: `a feedback report of type ${boundedLine(feedbackType, 40)}, not a complaint` };
    return { format: 'the abuse report', findings: [{ kind: 'complaint', recipient, status: null, diagnostic: `feedback-type ${feedbackType}` }] };
  }
  const from = mail.from?.text ?? '';
  const subject = mail.subject ?? '';
  const failedRecipients = headerText(mail, 'x-failed-recipients');
  if (!looksLikeBounce({ from, subject, failedRecipients })) return { ignored: 'neither a delivery status notification, an abuse report nor a bounce notice' };
  const ownAddresses = [...addressesOf(mail.from), ...addressesOf(mail.to)];
  const bounce = readBounceText({ from, subject, failedRecipients, ownAddresses, text: mail.text ?? '' });
  if (!bounce) return { ignored: 'a bounce notice whose recipient or reason could not be read' };
  const { kind, status, diagnostic } = bounce;
  return { format: 'the bounce notice', findings: bounce.recipients.map((recipient) => ({ kind, recipient, status, diagnostic })) };
}

/** The first VERP token of ours: in an address the message was delivered to, else in the returned message. */
function tokenOf(mail: ParsedMail, raw: Buffer, context: FeedbackMessageContext): { where: string; check: VerpCheck } | null {
  for (const recipient of context.recipients) {
    const check = parseVerpAddress(recipient, context.bounceAddress, context.secret);
    if (check.ok || check.reason !== 'not-verp') return { where: 'the address it was delivered to', check };
  }
  const returned = mail.attachments.filter((a) => RETURNED_PARTS.has(a.contentType.toLowerCase())).map((a) => a.content.toString('utf8'));
  // An inline message/rfc822 joins the text; the raw body (after the report's own header) has it as sent.
  const texts = [...returned, mail.text ?? '', bodyOf(raw)];
  const check = originalMessageToken(texts, context.bounceAddress, context.secret);
  return check ? { where: 'the returned message', check } : null;
}

function bodyOf(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? '' : text.slice(end);
}

function messageIdOf(mail: ParsedMail, raw: Buffer): string {
  const id = boundedLine(mail.messageId, 250);
  // No Message-ID: the bytes themselves, so that the same report delivered twice is still one event.
  return id ?? `sha256:${hashOf(raw).slice(0, 32)}`;
}

function hashOf(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function headerText(mail: ParsedMail, name: string): string | null {
  const value = mail.headers.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value.map((v) => v.address ?? '')).filter((a) => a !== '');
}
