import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'pressroom-config-'));
}

describe('loadConfig', () => {
  it('runs on embedded defaults with no file', async () => {
    const cwd = await tempDir();
    const config = loadConfig({}, {}, cwd);
    expect(config.site).toMatchObject({ url: 'http://localhost:8080/', feedItems: 20, timeZone: 'UTC', language: 'en' });
    expect(config.issuesDir).toBe(path.join(cwd, 'issues'));
    expect(config.dataDir).toBe(path.join(cwd, 'data'));
    expect(config.smtpUrl).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(8080);
  });

  it('layers file < environment < flags, file paths relative to the file', async () => {
    const cwd = await tempDir();
    await writeFile(
      path.join(cwd, 'site.json'),
      JSON.stringify({ site: { title: 'SOFA Weekly', url: 'https://a.example/news', timeZone: 'Asia/Shanghai', feedItems: 5 }, issuesDir: 'content', outDir: 'out' }),
    );
    const file = loadConfig({}, { PRESSROOM_CONFIG: 'site.json' }, cwd);
    expect(file.site).toMatchObject({ title: 'SOFA Weekly', url: 'https://a.example/news/', timeZone: 'Asia/Shanghai', feedItems: 5 });
    expect(file.issuesDir).toBe(path.join(cwd, 'content'));

    const env = {
      PRESSROOM_CONFIG: 'site.json',
      PRESSROOM_SITE_URL: 'https://b.example/',
      PRESSROOM_OUT_DIR: 'env-out',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PRESSROOM_PORT: '9000',
    };
    const fromEnv = loadConfig({}, env, cwd);
    expect(fromEnv.site.url).toBe('https://b.example/');
    expect(fromEnv.outDir).toBe(path.join(cwd, 'env-out'));
    expect(fromEnv.smtpUrl).toBe('smtp://127.0.0.1:2525');
    expect(fromEnv.port).toBe(9000);

    const fromFlags = loadConfig({ siteUrl: 'https://c.example', out: 'flag-out', issues: 'flag-issues' }, env, cwd);
    expect(fromFlags.site.url).toBe('https://c.example/');
    expect(fromFlags.outDir).toBe(path.join(cwd, 'flag-out'));
    expect(fromFlags.issuesDir).toBe(path.join(cwd, 'flag-issues'));
  });

  it('names the file and field of a bad setting', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ site: { feedItems: 'twenty' } }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(/pressroom.config.json: site.feedItems: /);
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ sitee: {} }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(/pressroom\.config\.json: .*sitee/);
    await writeFile(path.join(cwd, 'pressroom.config.json'), '{ not json');
    expect(() => loadConfig({}, {}, cwd)).toThrow(/pressroom\.config\.json: not valid JSON/);
  });

  it('rejects a bad site URL, time zone and port', async () => {
    const cwd = await tempDir();
    expect(() => loadConfig({ siteUrl: 'news.example.org' }, {}, cwd)).toThrow(ConfigError);
    expect(() => loadConfig({ siteUrl: 'ftp://news.example.org' }, {}, cwd)).toThrow(/must be http or https/);
    expect(() => loadConfig({}, { PRESSROOM_PORT: 'eighty' }, cwd)).toThrow(/PRESSROOM_PORT: "eighty" is not a port number/);
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ site: { timeZone: 'Mars/Olympus' } }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(/site\.timeZone: "Mars\/Olympus" is not an IANA time zone/);
  });

  it('derives the site URL from the port unless one is set (file, environment or flag)', async () => {
    const cwd = await tempDir();
    expect(loadConfig({}, { PRESSROOM_PORT: '9000' }, cwd).site.url).toBe('http://localhost:9000/');
    expect(loadConfig({ port: 9001 }, { PRESSROOM_PORT: '9000' }, cwd).site.url).toBe('http://localhost:9001/');
    expect(loadConfig({}, { PRESSROOM_PORT: '9000', PRESSROOM_SITE_URL: 'https://news.example.org' }, cwd).site.url).toBe('https://news.example.org/');
    expect(loadConfig({ siteUrl: 'http://localhost:8080/' }, { PRESSROOM_PORT: '9000' }, cwd).site.url).toBe('http://localhost:8080/');
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ port: 9100 }));
    expect(loadConfig({}, {}, cwd).site.url).toBe('http://localhost:9100/');
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ port: 9100, site: { url: 'https://a.example/' } }));
    expect(loadConfig({}, { PRESSROOM_PORT: '9000' }, cwd).site.url).toBe('https://a.example/');
    expect(() => loadConfig({}, { PRESSROOM_SITE_URL: 'news.example.org' }, cwd)).toThrow(/^PRESSROOM_SITE_URL: "news.example.org" is not an absolute URL/);
  });

  it('checks SMTP_URL / smtpUrl when it loads, naming the setting, password redacted', async () => {
    const cwd = await tempDir();
    const smtp = (url: string) => () => loadConfig({}, { SMTP_URL: url }, cwd);
    expect(smtp('http://mail.example.org')).toThrow(/^SMTP_URL: "http:\/\/mail.example.org" must start with smtp:\/\/ or smtps:\/\//);
    expect(smtp('smtp://u:pw@mail.example.org:70000')).toThrow(/^SMTP_URL: "smtp:\/\/u:\*\*\*@mail.example.org:70000" port 70000 is out of range/);
    expect(smtp('smtp://')).toThrow(ConfigError);
    expect(smtp('smtp://u:pw@mail.example.org?requireTLS=false')).toThrow(/requireTLS=false would send the password in clear/);
    expect(smtp('smtp://mail.example.org?tls.rejectUnauthorized=maybe')).toThrow(/option tls.rejectUnauthorized: "maybe" is not true or false/);
    expect(loadConfig({}, { SMTP_URL: 'outbox:' }, cwd).smtpUrl).toBe('outbox:');
    const ok = 'smtps://u:pw@mail.example.org:465?socketTimeout=30000&tls.rejectUnauthorized=false&messageTimeout=60000';
    expect(loadConfig({}, { SMTP_URL: ok }, cwd).smtpUrl).toBe(ok);
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ smtpUrl: 'smtp://u:pw@mail.example.org?allowPlainAuth=yes' }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(
      /pressroom\.config\.json: smtpUrl: "smtp:\/\/u:\*\*\*@mail.example.org\?allowPlainAuth=yes" option allowPlainAuth: "yes" is not true or false/,
    );
    // The environment overrides the file, so only the effective URL is checked.
    expect(loadConfig({}, { SMTP_URL: 'smtp://mail.example.org' }, cwd).smtpUrl).toBe('smtp://mail.example.org');
  });

  it('reports a missing explicit config file', async () => {
    const cwd = await tempDir();
    expect(() => loadConfig({ config: 'nope.json' }, {}, cwd)).toThrow(/nope\.json: cannot read the configuration file/);
  });
});

describe('metrics settings', () => {
  it('reads metricsToken and metricsPublic from the file and the environment, and refuses a bad switch', async () => {
    const cwd = await tempDir();
    const defaults = loadConfig({}, {}, cwd);
    expect([defaults.metricsToken, defaults.metricsPublic]).toEqual([undefined, undefined]);
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ metricsToken: 'from-file', metricsPublic: true }));
    expect(loadConfig({}, {}, cwd)).toMatchObject({ metricsToken: 'from-file', metricsPublic: true });
    expect(loadConfig({}, { PRESSROOM_METRICS_TOKEN: 'from-env', PRESSROOM_METRICS_PUBLIC: '0' }, cwd)).toMatchObject({ metricsToken: 'from-env', metricsPublic: false });
    expect(() => loadConfig({}, { PRESSROOM_METRICS_PUBLIC: 'maybe' }, cwd)).toThrow(new ConfigError('PRESSROOM_METRICS_PUBLIC: "maybe" is not on or off (expected 1 or 0)'));
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ metricsPublic: 'yes' }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(/metricsPublic: /);
  });
});

describe('email.maxLatenessHours', () => {
  it('defaults to 48, takes 0 (no limit) and fractions from the file, and refuses a negative or non-number value naming it', async () => {
    const cwd = await tempDir();
    expect(loadConfig({}, {}, cwd).email.maxLatenessHours).toBe(48);
    for (const hours of [0, 6, 0.5]) {
      await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ email: { maxLatenessHours: hours } }));
      expect(loadConfig({}, {}, cwd).email.maxLatenessHours).toBe(hours);
    }
    for (const bad of [-1, '48', null]) {
      await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ email: { maxLatenessHours: bad } }));
      expect(() => loadConfig({}, {}, cwd)).toThrow(/pressroom\.config\.json: email\.maxLatenessHours: /);
    }
  });
});
