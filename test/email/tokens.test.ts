import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { resolveSecret } from '../../src/config/secret.js';
import { signToken, verifyToken } from '../../src/email/tokens.js';

const SECRET = 'test-secret-0123456789abcdef';

describe('tokens', () => {
  it('round-trips subscriber id and purpose', () => {
    const t = signToken(SECRET, 42, 'unsubscribe');
    expect(t).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(verifyToken(SECRET, t, 'unsubscribe')).toEqual({ ok: true, subscriberId: 42 });
  });

  it('binds the purpose and the secret', () => {
    const t = signToken(SECRET, 42, 'unsubscribe');
    expect(verifyToken(SECRET, t, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyToken(SECRET, t, 'preferences')).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyToken('another-secret-0123456789', t, 'unsubscribe')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('rejects tampering with id, expiry or MAC', () => {
    const t = signToken(SECRET, 42, 'unsubscribe');
    const [id, exp, mac] = t.split('.') as [string, string, string];
    expect(verifyToken(SECRET, `${(43).toString(36)}.${exp}.${mac}`, 'unsubscribe').ok).toBe(false);
    expect(verifyToken(SECRET, `${id}.${exp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, 'unsubscribe').ok).toBe(false);
    expect(verifyToken(SECRET, `${id}.zz.${mac}`, 'unsubscribe').ok).toBe(false);
    expect(verifyToken(SECRET, `0${id}.${exp}.${mac}`, 'unsubscribe').ok).toBe(false);
    for (const bad of ['', 'x', '...', `${t}.`, t.slice(1)]) expect(verifyToken(SECRET, bad, 'unsubscribe').ok).toBe(false);
  });

  it('expires', () => {
    const now = Date.UTC(2026, 0, 1);
    const t = signToken(SECRET, 7, 'confirm', now + 1000);
    expect(verifyToken(SECRET, t, 'confirm', now)).toEqual({ ok: true, subscriberId: 7 });
    expect(verifyToken(SECRET, t, 'confirm', now + 1000)).toEqual({ ok: false, reason: 'expired' });
    // An expiry cannot be stripped or extended without the secret.
    const [id, , mac] = t.split('.');
    expect(verifyToken(SECRET, `${id}.0.${mac}`, 'confirm', now + 5000)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('differs per subscriber and never contains the email', () => {
    const a = signToken(SECRET, 1, 'unsubscribe');
    const b = signToken(SECRET, 2, 'unsubscribe');
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a.length).toBeLessThan(64);
  });
});

describe('resolveSecret', () => {
  it('uses config.secret when set', () => {
    const config = defaultConfig(mkdtempSync(path.join(tmpdir(), 'pr-secret-')));
    config.secret = 'configured-secret-value-123';
    expect(resolveSecret(config)).toBe('configured-secret-value-123');
  });

  it('generates a dev secret once and reuses it', () => {
    const config = defaultConfig(mkdtempSync(path.join(tmpdir(), 'pr-secret-')));
    const first = resolveSecret(config);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(config.dataDir, 'secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(resolveSecret(config)).toBe(first);
  });

  it('refuses a too-short configured secret', () => {
    const config = defaultConfig(mkdtempSync(path.join(tmpdir(), 'pr-secret-')));
    config.secret = 'short';
    expect(() => resolveSecret(config)).toThrow(/at least 16/);
  });
});

describe('hmacSha256', () => {
  it('equals crypto.createHmac for short, long and non-ASCII secrets and messages', async () => {
    const { createHmac } = await import('node:crypto');
    const { hmacSha256 } = await import('../../src/email/tokens.js');
    const secrets = ['k', SECRET, 'x'.repeat(64), 'y'.repeat(65), '密钥-秘密-0123456789', 'z'.repeat(200)];
    const messages = ['', 'v1.42.unsubscribe.0', '中文消息', 'm'.repeat(1000)];
    for (const s of secrets) {
      for (const m of messages) {
        expect(hmacSha256(s, m).toString('hex'), `${s.length}/${m.length}`).toBe(createHmac('sha256', s).update(m).digest('hex'));
      }
    }
  });
});
