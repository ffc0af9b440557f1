import { describe, expect, it } from 'vitest';
import { headerRecipients } from '../../src/inbound/header-recipients.js';

const raw = (header: string, body = 'body\r\n') => Buffer.from(`${header.replace(/\n/g, '\r\n')}\r\n\r\n${body}`);

describe('headerRecipients', () => {
  it('lists Delivered-To, then X-Original-To, then To, each address once (compared without case)', () => {
    const message = raw(
      [
        'Return-Path: <>',
        'To: "Bounces, news" <bounces@news.example.org>, other@example.net',
        'Delivered-To: bounces+1.2.abcdefghijklmnop@news.example.org',
        'X-Original-To: BOUNCES+1.2.abcdefghijklmnop@news.example.org',
        'Delivered-To: bounces@news.example.org',
        'Subject: Undelivered Mail Returned to Sender',
      ].join('\n'),
    );
    expect(headerRecipients(message)).toEqual(['bounces+1.2.abcdefghijklmnop@news.example.org', 'bounces@news.example.org', 'other@example.net']);
  });

  it('unfolds continued header lines and reads header names in any case', () => {
    expect(headerRecipients(raw('delivered-to:\n   <bounces+a.b.cdefghijklmnopqr@news.example.org>\nTO: x@example.org'))).toEqual([
      'bounces+a.b.cdefghijklmnopqr@news.example.org',
      'x@example.org',
    ]);
  });

  it('reads only the message header, never the header of a report or original message in the body', () => {
    const body = ['--b', 'Content-Type: message/rfc822', '', 'To: reader@example.com', 'Delivered-To: reader@example.com', '', 'hello', '--b--'].join('\r\n');
    expect(headerRecipients(raw('To: bounces@news.example.org\nContent-Type: multipart/report; boundary=b', body))).toEqual(['bounces@news.example.org']);
    expect(headerRecipients(Buffer.from('Subject: no body and no recipients'))).toEqual([]);
  });

  it('skips what is not an address (groups, names alone) and hands on at most 20 addresses', () => {
    expect(headerRecipients(raw('To: undisclosed-recipients:;\nX-Original-To: not an address'))).toEqual([]);
    const many = Array.from({ length: 50 }, (_, i) => `r${i}@example.org`).join(', ');
    expect(headerRecipients(raw(`To: ${many}`))).toHaveLength(20);
  });
});
