// processFeedbackMessage, the entry point the SMTP receiver and the IMAP poller share, on a real
// SQLite store: a bounce is recorded (and a second reading of it is a duplicate), a message that
// is no report is one warning and no change.
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { feedbackPolicy } from '../../src/domain/feedback.js';
import { processFeedbackMessage, type ProcessFeedbackDeps } from '../../src/inbound/process.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { makeSite } from '../support/site.js';
import { fixture } from './messages.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(): Promise<{ store: Store; deps: ProcessFeedbackDeps; lines: Array<{ level: number; msg: string }> }> {
  const { dir, config } = makeSite();
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openStore(config);
  cleanup.push(() => store.close());
  await store.addSubscriber({ email: 'sub7@example.org', status: 'active' });
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  const deps: ProcessFeedbackDeps = {
    recorder: store,
    policy: feedbackPolicy(config),
    bounceAddress: 'bounces@news.example.org',
    secret: config.secret!,
    source: 'imap',
    // What the poller passes: the message's To / Delivered-To / X-Original-To.
    recipients: ['bounces@news.example.org'],
    // The samples carry no token for this store: attributed by the address they name.
    trustReportedAddresses: true,
    log,
  };
  return { store, deps, lines };
}

describe('processFeedbackMessage', () => {
  it('records the events of a bounce once: the same message read again is a duplicate', async () => {
    const { store, deps, lines } = await setup();
    expect(await processFeedbackMessage(fixture('exim-hard.eml'), deps)).toEqual({ ignored: null, tally: { recorded: 1, duplicate: 0, 'unknown-recipient': 0 } });
    expect((await store.findSubscriberByEmail('sub7@example.org'))!.status).toBe('bounced');
    expect(await processFeedbackMessage(fixture('exim-hard.eml'), deps)).toEqual({ ignored: null, tally: { recorded: 0, duplicate: 1, 'unknown-recipient': 0 } });
    expect(lines.map((l) => l.msg)).toEqual(['hard-bounce recorded', 'hard-bounce already recorded (a replay): nothing changed']);
  });

  it('a bounce for nobody we know, and a message that is no report: one warning each, nothing stored', async () => {
    const { store, deps, lines } = await setup();
    expect((await processFeedbackMessage(fixture('gmail-hard.eml'), deps)).tally).toEqual({ recorded: 0, duplicate: 0, 'unknown-recipient': 1 });
    const note = Buffer.from('From: reader@example.org\r\nSubject: thanks\r\n\r\nLovely issue.\r\n');
    expect(await processFeedbackMessage(note, deps)).toEqual({
      ignored: 'neither a delivery status notification, an abuse report nor a bounce notice',
      tally: { recorded: 0, duplicate: 0, 'unknown-recipient': 0 },
    });
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      'hard-bounce for no known recipient: nothing changed',
      'feedback message ignored: neither a delivery status notification, an abuse report nor a bounce notice',
    ]);
    expect((await store.findSubscriberByEmail('sub7@example.org'))!.status).toBe('active');
  });
});
