// Every environment variable of the table (src/config/env.ts) with a bad value: a ConfigError whose
// one line starts with the variable's name (or, for the schedule, names it), and never shows a
// secret. A variable added to the table without a case here fails the first test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { ENV_VARIABLES } from '../../src/config/env.js';

/** A bad value for each variable, and what the message says about it. */
const BAD: Record<string, { value: string; message: RegExp }> = {
  PRESSROOM_SITE_URL: { value: 'news.example.org', message: /^PRESSROOM_SITE_URL: "news.example.org" is not an absolute URL/ },
  DATABASE_URL: { value: 'mysql://app:hunter2@db/news', message: /^DATABASE_URL: "mysql:\/\/app:\*\*\*@db\/news" is not supported/ },
  SMTP_URL: { value: 'smtp://app:hunter2@mail.example.org:99999', message: /^SMTP_URL: "smtp:\/\/app:\*\*\*@mail.example.org:99999" port 99999 is out of range/ },
  PRESSROOM_PORT: { value: '70000', message: /^PRESSROOM_PORT: "70000" is not a port number \(expected 0-65535\)$/ },
  PRESSROOM_METRICS_PUBLIC: { value: 'maybe', message: /^PRESSROOM_METRICS_PUBLIC: "maybe" is not on or off/ },
  PRESSROOM_SECRET: { value: 'hunter2', message: /^PRESSROOM_SECRET: must be at least 16 characters/ },
  PRESSROOM_SCHEDULE: { value: 'every monday', message: /^schedule: "every monday" is not a cron expression.* \(set by PRESSROOM_SCHEDULE\)$/ },
  PRESSROOM_POLL_SECONDS: { value: 'soon', message: /^PRESSROOM_POLL_SECONDS: "soon" is not a number of seconds/ },
  PRESSROOM_TRUST_PROXY: { value: 'everyone', message: /^PRESSROOM_TRUST_PROXY: "everyone" is not a hop count or a proxy address/ },
  PRESSROOM_WEBSUB_HUBS: { value: 'https://hub.example.org/,ftp://hub.example.org/', message: /^PRESSROOM_WEBSUB_HUBS: "ftp:\/\/hub.example.org\/" is not an http\(s\) URL/ },
  PRESSROOM_EVENTS_URL: { value: 'http://crm.example.org/hooks', message: /^PRESSROOM_EVENTS_URL: must be https/ },
  PRESSROOM_EVENTS_SECRET: { value: 'whsec_dG9vIHNob3J0', message: /^PRESSROOM_EVENTS_SECRET: is not a Standard Webhooks secret/ },
  PRESSROOM_BOUNCE_ADDRESS: { value: 'bounces+x@news.example.org', message: /^PRESSROOM_BOUNCE_ADDRESS: "bounces\+x@news.example.org" has a \+ in its local part/ },
  PRESSROOM_INBOUND_PORT: { value: '99999', message: /^PRESSROOM_INBOUND_PORT: "99999" is not a port number/ },
  PRESSROOM_INBOUND_IMAP_URL: { value: 'pop3://bob:hunter2@mail.example.org', message: /^PRESSROOM_INBOUND_IMAP_URL: "pop3:\/\/bob:\*\*\*@mail.example.org" is not an IMAP URL/ },
  PRESSROOM_SES_TOPIC_ARNS: { value: 'arn:aws:sns:eu-west-1:123456789012:ok,bounces', message: /^PRESSROOM_SES_TOPIC_ARNS: "bounces" is not an SNS topic ARN/ },
  PRESSROOM_POSTMARK_WEBHOOK_TOKEN: { value: 'hunter2', message: /^PRESSROOM_POSTMARK_WEBHOOK_TOKEN: must be at least 16 characters/ },
  PRESSROOM_MAILGUN_SIGNING_KEY: { value: 'hunter2', message: /^PRESSROOM_MAILGUN_SIGNING_KEY: must be at least 16 characters/ },
  PRESSROOM_SENDGRID_PUBLIC_KEY: { value: 'hunter2', message: /^PRESSROOM_SENDGRID_PUBLIC_KEY: is not an ECDSA public key/ },
  PRESSROOM_LOG_LEVEL: { value: 'loud', message: /^PRESSROOM_LOG_LEVEL: "loud" is not a log level \(expected one of fatal, error, warn, info, debug, trace, silent\)$/ },
};

/** Variables whose every value is acceptable text (a folder, a name, a token of any length, a host). */
const FREE_TEXT = [
  'PRESSROOM_ISSUES_DIR',
  'PRESSROOM_OUT_DIR',
  'PRESSROOM_DATA_DIR',
  'PRESSROOM_ADMIN_TOKEN',
  'PRESSROOM_METRICS_TOKEN',
  'NODE_ENV',
  'PRESSROOM_HOST',
  'PRESSROOM_INBOUND_HOST',
  'PRESSROOM_WORKER_ID',
];

const cwd = mkdtempSync(path.join(tmpdir(), 'pressroom-env-'));

describe('the environment table', () => {
  it('has a bad-value case here for every variable that can be wrong, and names each setting once', () => {
    const names = ENV_VARIABLES.map((v) => v.name);
    expect([...Object.keys(BAD), ...FREE_TEXT].sort()).toEqual([...names].sort());
    expect(new Set(ENV_VARIABLES.map((v) => v.path)).size).toBe(ENV_VARIABLES.length);
  });

  it.each(Object.entries(BAD))('%s with a bad value: one-line ConfigError naming it, no secret shown', (name, { value, message }) => {
    let thrown: unknown;
    try {
      loadConfig({}, { [name]: value }, cwd);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const text = (thrown as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(text).not.toContain('hunter2');
  });

  it.each(FREE_TEXT)('%s takes any text', (name) => {
    expect(() => loadConfig({}, { [name]: 'any text at all' }, cwd)).not.toThrow();
  });

  it('reads each variable into its setting; an empty variable is unset', () => {
    const config = loadConfig(
      {},
      {
        PRESSROOM_HOST: '0.0.0.0',
        PRESSROOM_TRUST_PROXY: '10.0.0.5,loopback',
        PRESSROOM_WORKER_ID: 'worker-3@mail-2',
        PRESSROOM_LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        PRESSROOM_ADMIN_TOKEN: '',
      },
      cwd,
    );
    expect(config).toMatchObject({ host: '0.0.0.0', trustProxy: ['10.0.0.5', 'loopback'], workerId: 'worker-3@mail-2', logLevel: 'warn', production: true });
    expect(config.adminToken).toBeUndefined();
    expect(loadConfig({}, { NODE_ENV: 'development' }, cwd).production).toBe(false);
    expect(loadConfig({}, {}, cwd)).toMatchObject({ host: '127.0.0.1', trustProxy: false, logLevel: 'info', production: false });
  });

  it('flags win over the environment, and a bad flag is named like a variable', () => {
    const env = { PRESSROOM_HOST: '0.0.0.0', PRESSROOM_TRUST_PROXY: '2', PRESSROOM_PORT: '9000' };
    expect(loadConfig({ host: '::1', trustProxy: true, port: '9001' }, env, cwd)).toMatchObject({ host: '::1', trustProxy: 1, port: 9001 });
    expect(loadConfig({ production: true }, {}, cwd).production).toBe(true);
    expect(() => loadConfig({ port: 'eighty' }, {}, cwd)).toThrow(new ConfigError('--port: "eighty" is not a port number (expected 0-65535)'));
    expect(() => loadConfig({ trustProxy: 'everyone' }, env, cwd)).toThrow(/^--trust-proxy: "everyone" is not a hop count/);
  });

  it('refuses process settings in the file: they belong to the environment and flags', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-env-'));
    writeFileSync(path.join(dir, 'pressroom.config.json'), JSON.stringify({ host: '0.0.0.0' }));
    expect(() => loadConfig({}, {}, dir)).toThrow(/pressroom\.config\.json: \(top level\): .*host/);
  });
});
