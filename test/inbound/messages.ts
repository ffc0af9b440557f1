// Bounce and complaint messages for the receiver tests, built the way MTAs and mailbox providers
// build them (the parser itself is tested on real samples: test/fixtures/bounces/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/config.js';
import { openStore } from '../../src/storage/open.js';
import { fixturesDir } from '../support/paths.js';

export function fixture(name: string): Buffer {
  return readFileSync(path.join(fixturesDir, 'bounces', name));
}

/** An RFC 3464 DSN about one recipient, with the returned message's headers. */
export function dsn(o: { id: string; recipient: string; action: 'failed' | 'delayed'; status: string; diagnostic: string; returnedHeaders?: string }): Buffer {
  const boundary = `dsn-${o.id}`;
  return Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
      'To: bounces@news.example.org',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${o.id}@mx.example.org>`,
      'Date: Tue, 01 Dec 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `<${o.recipient}>: ${o.diagnostic}`,
      '',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      `Final-Recipient: rfc822; ${o.recipient}`,
      `Action: ${o.action}`,
      `Status: ${o.status}`,
      `Diagnostic-Code: smtp; ${o.diagnostic}`,
      '',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      o.returnedHeaders ?? `From: newsletter@news.example.org\r\nTo: ${o.recipient}\r\nSubject: Hello`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** An RFC 5965 abuse report carrying the headers of the message complained about (as Yahoo and others send them). */
export function arf(o: { id: string; original: Buffer }): Buffer {
  const text = o.original.toString('utf8');
  const headers = text.slice(0, text.search(/\r?\n\r?\n/));
  const boundary = `arf-${o.id}`;
  return Buffer.from(
    [
      'From: feedbackloop@mailbox.example.com',
      'To: bounces@news.example.org',
      'Subject: FW: Hello',
      `Message-ID: <${o.id}@mailbox.example.com>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '',
      `--${boundary}`,
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: ExampleFBL/1.0',
      'Version: 1',
      '',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      headers,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** A subscriber's status as a fresh connection to the site's store reads it (after another process recorded a bounce). */
export async function statusOf(site: { config: Config }, email: string): Promise<string | undefined> {
  const store = await openStore(site.config);
  try {
    return (await store.findSubscriberByEmail(email))?.status;
  } finally {
    await store.close();
  }
}
