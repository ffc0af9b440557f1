import { describe, expect, it } from 'vitest';
import { groupErrors, normaliseResponse } from '../../src/domain/smtp-errors.js';

describe('normaliseResponse', () => {
  it('drops the reply code and what differs per message, and keeps the enhanced status code', () => {
    expect(normaliseResponse('550 5.1.1 <Ada@Example.org>: Recipient address rejected: User unknown')).toBe('5.1.1 <address>: recipient address rejected: user unknown');
    expect(normaliseResponse('451-4.7.1 Try again later, queue id 3F2A9B1C0D')).toBe('4.7.1 try again later, queue id #');
    expect(normaliseResponse('421 too many connections from 127.0.0.1')).toBe('too many connections from #');
    expect(normaliseResponse('452 4.2.2 Mailbox  full\n(quota 1024 MB)')).toBe('4.2.2 mailbox full (quota # mb)');
    // Words made of hex letters only are words.
    expect(normaliseResponse('554 5.7.1 Message refused: bad face')).toBe('5.7.1 message refused: bad face');
    expect(normaliseResponse(null)).toBe('(no response)');
    expect(normaliseResponse('  ')).toBe('(no response)');
  });
});

describe('groupErrors', () => {
  it('folds exact answers into groups by code and normalised text, largest first', () => {
    expect(
      groupErrors([
        { smtpCode: 550, smtpResponse: '550 5.1.1 <a@x.org>: unknown', state: 'failed', n: 2 },
        { smtpCode: 451, smtpResponse: '451 4.7.1 later 1234', state: 'retry', n: 2 },
        { smtpCode: 550, smtpResponse: '550 5.1.1 <b@y.org>: unknown', state: 'failed', n: 1 },
        { smtpCode: 451, smtpResponse: '451 4.7.1 later 99', state: 'failed', n: 1 },
        // The same text under another code is another group.
        { smtpCode: 551, smtpResponse: '551 5.1.1 <c@z.org>: unknown', state: 'failed', n: 1 },
      ]),
    ).toEqual([
      { smtpCode: 451, response: '4.7.1 later #', failed: 1, retry: 2 },
      { smtpCode: 550, response: '5.1.1 <address>: unknown', failed: 3, retry: 0 },
      { smtpCode: 551, response: '5.1.1 <address>: unknown', failed: 1, retry: 0 },
    ]);
  });
});
