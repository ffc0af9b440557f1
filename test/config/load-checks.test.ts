// What loadConfig checks beyond types (DKIM key, lease against the SMTP send time, DATABASE_URL,
// secret), and what it hands out: one deep-frozen object.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, withListeningPort } from '../../src/config/config.js';
import { projectRoot } from '../support/paths.js';

function site(file: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-checks-'));
  writeFileSync(path.join(dir, 'pressroom.config.json'), JSON.stringify(file));
  return dir;
}

const pem = (type: 'rsa' | 'ec') =>
  (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;

describe('the DKIM key, checked when the configuration loads', () => {
  const dkim = (privateKeyPath: string, extra: object = {}) => ({ email: { dkim: { domain: 'news.example.org', selector: 's2026', privateKeyPath, ...extra } } });

  it('reads a PEM RSA key relative to the file', () => {
    const dir = site(dkim('keys/dkim.pem'));
    mkdirSync(path.join(dir, 'keys'));
    writeFileSync(path.join(dir, 'keys', 'dkim.pem'), pem('rsa'));
    expect(loadConfig({}, {}, dir).email.dkim?.privateKeyPath).toBe(path.join(dir, 'keys', 'dkim.pem'));
  });

  it('refuses a missing file, a file that is no key, a key that is not RSA, a bad selector: one line naming file and field', () => {
    const missing = site(dkim('missing.pem'));
    expect(() => loadConfig({}, {}, missing)).toThrow(
      new ConfigError(`${path.join(missing, 'pressroom.config.json')}: email.dkim.privateKeyPath: cannot read ${path.join(missing, 'missing.pem')} (ENOENT)`),
    );
    const notKey = site(dkim('key.pem'));
    writeFileSync(path.join(notKey, 'key.pem'), 'not a key\n');
    expect(() => loadConfig({}, {}, notKey)).toThrow(/email\.dkim\.privateKeyPath: .*key\.pem is not a PEM private key$/);
    const ec = site(dkim('key.pem'));
    writeFileSync(path.join(ec, 'key.pem'), pem('ec'));
    expect(() => loadConfig({}, {}, ec)).toThrow(/email\.dkim\.privateKeyPath: .*key\.pem: expected an RSA key, got ec$/);
    const selector = site(dkim('key.pem', { selector: 'bad selector' }));
    writeFileSync(path.join(selector, 'key.pem'), pem('rsa'));
    expect(() => loadConfig({}, {}, selector)).toThrow(/email\.dkim\.selector: "bad selector" is not a DNS label$/);
  });
});

describe('the lease against the longest SMTP send', () => {
  it('refuses a lease an SMTP send can outlast, naming both settings; the outbox has no such bound', () => {
    const dir = site({ smtp: { leaseSeconds: 600 } });
    const file = path.join(dir, 'pressroom.config.json');
    expect(() => loadConfig({}, { SMTP_URL: 'smtp://mail.example.org' }, dir)).toThrow(
      new ConfigError(
        `${file}: smtp.leaseSeconds: 600 s is not longer than one SMTP send may take (120 s up to the final dot + 600 s for the answer, ?messageTimeout and ?dataTimeout of SMTP_URL); expected more than 720 s (default 1800)`,
      ),
    );
    expect(loadConfig({}, { SMTP_URL: 'smtp://mail.example.org?messageTimeout=60000&dataTimeout=300000' }, dir).smtp.leaseSeconds).toBe(600);
    expect(loadConfig({}, { SMTP_URL: 'outbox:' }, dir).smtp.leaseSeconds).toBe(600);
    expect(loadConfig({}, {}, dir).smtp.leaseSeconds).toBe(600);
    // The default lease covers the default timeouts, with the margin docs/delivery.md describes.
    expect(loadConfig({}, { SMTP_URL: 'smtp://mail.example.org' }, site({})).smtp.leaseSeconds).toBe(1800);
  });
});

describe('other settings checked at load', () => {
  it('DATABASE_URL: postgres or sqlite, a file name, password hidden', () => {
    const dir = site({});
    expect(() => loadConfig({}, { DATABASE_URL: 'sqlite:' }, dir)).toThrow(/^DATABASE_URL: "sqlite:" names no file/);
    expect(loadConfig({}, { DATABASE_URL: 'sqlite:news.db' }, dir).databaseUrl).toBe('sqlite:news.db');
    expect(loadConfig({}, { DATABASE_URL: 'postgres://u:pw@127.0.0.1:5432/test' }, dir).databaseUrl).toBe('postgres://u:pw@127.0.0.1:5432/test');
    const fromFile = site({ databaseUrl: 'mysql://u:pw@db/x' });
    expect(() => loadConfig({}, {}, fromFile)).toThrow(/pressroom\.config\.json: databaseUrl: "mysql:\/\/u:\*\*\*@db\/x" is not supported/);
  });

  it('a configured secret of fewer than 16 characters, from the file', () => {
    expect(() => loadConfig({}, {}, site({ secret: 'short' }))).toThrow(/pressroom\.config\.json: secret: must be at least 16 characters/);
  });

  it('pressroom.config.example.json loads with an SMTP server, as the README offers it', () => {
    const example = path.join(projectRoot, 'pressroom.config.example.json');
    expect(loadConfig({ config: example }, { SMTP_URL: 'smtps://u:pw@mail.example.org:465' }, projectRoot).smtp.leaseSeconds).toBe(1800);
  });

  it('an empty subject is the default subject', () => {
    expect(loadConfig({}, {}, site({ email: { subject: '' } })).email.subject).toBe('{{ title }}');
  });
});

describe('the loaded configuration', () => {
  it('is deep-frozen: changing it throws', () => {
    const config = loadConfig({}, {}, site({ site: { title: 'Weekly' } }));
    expect(Object.isFrozen(config.site.author)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      config.site.url = 'https://elsewhere.example/';
    }).toThrow(TypeError);
    expect(() => {
      config.smtp.leaseSeconds = 1;
    }).toThrow(TypeError);
    expect(config.site.url).toBe('http://localhost:8080/');
    // defaultConfig stays a mutable starting point for tests and library use.
    const mutable = defaultConfig();
    mutable.port = 1;
    expect(mutable.port).toBe(1);
  });

  it('withListeningPort: a new frozen object with the port a server got; a derived site URL follows it, a configured one stays', () => {
    const derived = loadConfig({}, { PRESSROOM_PORT: '0' }, site({}));
    expect(derived.site.url).toBe('http://localhost:0/');
    const listening = withListeningPort(derived, 43210);
    expect([listening.port, listening.site.url]).toEqual([43210, 'http://localhost:43210/']);
    expect(Object.isFrozen(listening.site)).toBe(true);
    expect([derived.port, derived.site.url]).toEqual([0, 'http://localhost:0/']);
    const configured = loadConfig({}, { PRESSROOM_PORT: '0', PRESSROOM_SITE_URL: 'https://news.example.org' }, site({}));
    expect(withListeningPort(configured, 43210).site.url).toBe('https://news.example.org/');
    expect(withListeningPort(configured, 0)).toBe(configured);
  });
});
