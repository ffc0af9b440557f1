// One parser, four callers: the form (server/input.ts), the store (storage/email.ts), the message
// builder (email/mime.ts) and `send --test` must accept and refuse exactly the same addresses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalAddress, parseAddress } from '../../src/domain/address.js';
import { checkAddress } from '../../src/email/mime.js';
import { checkEmail } from '../../src/server/input.js';
import { emailKey, emailProblem } from '../../src/storage/email.js';
import { fixturesDir } from '../support/paths.js';

const hostile = (name: string) => JSON.parse(readFileSync(path.join(fixturesDir, 'hostile', name), 'utf8'));
const refused: Array<[string, string]> = hostile('address-refused.json').cases;
const groups: Array<{ canonical: string; spellings: string[] }> = hostile('address-one-mailbox.json').groups;

describe('parseAddress', () => {
  it.each(refused)('refuses %j at every layer with the same reason', (input, problem) => {
    expect(parseAddress(input)).toEqual({ ok: false, problem });
    expect(emailProblem(input)).toBe(problem);
    expect(() => checkAddress(input, 'recipient 1')).toThrow(`recipient 1: ${JSON.stringify(input)} is not a valid email address (${problem})`);
    if (input.trim() !== '') {
      const checked = checkEmail(input);
      expect(checked.ok).toBe(false);
      expect(!checked.ok && checked.error).toBe(`email: ${JSON.stringify(input.trim().slice(0, 80))} is not an email address (${problem})`);
    }
  });

  it('refuses over-long local parts and addresses (RFC 5321 sizes)', () => {
    expect(parseAddress(`${'a'.repeat(65)}@example.org`)).toEqual({ ok: false, problem: 'has a local part longer than 64 characters' });
    expect(parseAddress(`${'a'.repeat(64)}@example.org`).ok).toBe(true);
    const long = `a@${Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.')}.org`;
    expect(parseAddress(long)).toEqual({ ok: false, problem: 'is longer than 254 characters' });
    // Short as Unicode, too long once in punycode.
    const idn = `a@${Array.from({ length: 4 }, () => 'ü'.repeat(56)).join('.')}.org`;
    expect(idn.length).toBeLessThan(254);
    expect(parseAddress(idn).ok).toBe(false);
  });

  it.each(groups)('gives every spelling of $canonical one canonical key', ({ canonical, spellings }) => {
    for (const s of spellings) {
      const parsed = parseAddress(s);
      expect(parsed, s).toMatchObject({ ok: true, canonical });
      expect(emailKey(s), s).toBe(canonical);
      expect(canonicalAddress(s), s).toBe(canonical);
    }
  });

  it('keeps the address as written, with an ASCII domain for the wire', () => {
    expect(parseAddress('Ada.Lovelace@Example.ORG')).toEqual({
      ok: true,
      address: 'Ada.Lovelace@Example.ORG',
      ascii: 'Ada.Lovelace@example.org',
      canonical: 'ada.lovelace@example.org',
    });
    expect(parseAddress('user@例子.中国')).toMatchObject({ ok: true, address: 'user@例子.中国', ascii: 'user@xn--fsqu00a.xn--fiqs8s' });
    expect(checkAddress('jose@exämple.org', 'to')).toBe('jose@xn--exmple-cua.org');
    for (const ok of ['root@localhost', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'x_y-z@a1.example.org']) {
      expect(parseAddress(ok).ok, ok).toBe(true);
      expect(checkEmail(ok), ok).toEqual({ ok: true, value: ok });
    }
  });
});
