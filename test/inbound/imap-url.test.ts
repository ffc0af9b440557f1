import { describe, expect, it } from 'vitest';
import { pollDelaySeconds } from '../../src/inbound/imap-poller.js';
import { parseImapUrl } from '../../src/inbound/imap-url.js';

describe('parseImapUrl', () => {
  it('reads imaps:// as TLS from the start on 993, with INBOX when the URL names no folder', () => {
    expect(parseImapUrl('imaps://bounces:s3cret@imap.example.org')).toEqual({
      host: 'imap.example.org',
      port: 993,
      secure: true,
      user: 'bounces',
      password: 's3cret',
      mailbox: 'INBOX',
      shown: 'imaps://bounces@imap.example.org/INBOX',
    });
  });

  it('reads imap:// as STARTTLS on 143, decodes the user, password and folder, and never shows the password', () => {
    const mailbox = parseImapUrl('imap://bounces%40news.example.org:p%40ss%2Fw%3Ard@imap.example.org:1143/Bounces%2FNews%20letter');
    expect(mailbox).toMatchObject({ host: 'imap.example.org', port: 1143, secure: false, user: 'bounces@news.example.org', password: 'p@ss/w:rd', mailbox: 'Bounces/News letter' });
    expect(mailbox.shown).toBe('imap://bounces%40news.example.org@imap.example.org:1143/Bounces%2FNews%20letter');
    expect(mailbox.shown).not.toContain('p%40ss');
  });

  it('takes a folder path written with slashes as it is, and an IPv6 host without brackets', () => {
    expect(parseImapUrl('imaps://u:p@[::1]:9993/Bounces/News')).toMatchObject({ host: '::1', port: 9993, mailbox: 'Bounces/News', shown: 'imaps://u@[::1]:9993/Bounces%2FNews' });
  });
});

describe('pollDelaySeconds', () => {
  it('is the interval while polls succeed, doubles with each failure in a row, and stops growing at 15 minutes', () => {
    expect([0, 1, 2, 3, 10, 100].map((n) => pollDelaySeconds(60, n))).toEqual([60, 120, 240, 480, 900, 900]);
  });

  it('never waits less than the interval after a failure, even when the interval is over 15 minutes', () => {
    expect([0, 1, 5].map((n) => pollDelaySeconds(3600, n))).toEqual([3600, 3600, 3600]);
  });
});
