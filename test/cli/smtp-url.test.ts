// SMTP_URL through the real CLI against a real SMTP server on loopback: a password never goes out
// in clear, a bad URL is one configuration line (exit 2), a TLS mismatch says what to change, and
// every test send is a message of its own.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSite, SLUG } from '../delivery/harness.js';
import { runCli, type CliRun } from '../support/cli.js';
import { startTestSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-server.js';

let site: ReturnType<typeof makeSite>;
const servers: TestSmtpServer[] = [];

beforeAll(() => {
  site = makeSite();
});
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
afterAll(() => {
  if (site) rmSync(site.dir, { recursive: true, force: true });
});

async function smtpServer(options: TestSmtpOptions): Promise<TestSmtpServer> {
  const server = await startTestSmtpServer(options);
  servers.push(server);
  return server;
}

function pressroom(args: string[], extra: Record<string, string>): Promise<CliRun> {
  return runCli(site, args, { env: extra });
}

const testSend = (smtpUrl: string) => pressroom(['send', SLUG, '--test', 'editor@example.org'], { SMTP_URL: smtpUrl });

/** stderr is exactly one "pressroom: ..." line, with no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^pressroom: /);
  return lines[0]!;
}

const AUTH = { user: 'alice', pass: 's3cret-pw' };
const base64Credentials = Buffer.from(`\0${AUTH.user}\0${AUTH.pass}`).toString('base64');

describe('credentials and TLS', () => {
  it('refuses to authenticate when the server offers AUTH but no STARTTLS, and says so in one line', async () => {
    const server = await smtpServer({ auth: AUTH, recordCleartext: true });
    const r = await testSend(`smtp://${AUTH.user}:${AUTH.pass}@127.0.0.1:${server.port}`);
    expect(r.code).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toMatch(/does not offer STARTTLS, so the password would go out in clear: not sent/);
    expect(line).toContain('allowPlainAuth=true');
    expect(line).not.toContain(AUTH.pass);
    expect(server.authAttempts()).toBe(0);
    expect(server.cleartext()).toContain('EHLO');
    expect(server.cleartext()).not.toMatch(/^AUTH/m);
    expect(server.cleartext()).not.toContain(base64Credentials);
    expect(server.accepted()).toBe(0);
  });

  it('authenticates after STARTTLS, with a self-signed certificate allowed by tls.rejectUnauthorized=false', async () => {
    const server = await smtpServer({ auth: AUTH, starttls: true, recordCleartext: true });
    const r = await testSend(`smtp://${AUTH.user}:${AUTH.pass}@127.0.0.1:${server.port}?tls.rejectUnauthorized=false`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.countFor('editor@example.org')).toBe(1);
    expect(server.authAttempts()).toBe(1);
    expect(server.cleartext()).toMatch(/^STARTTLS\r$/m);
    expect(server.cleartext()).not.toMatch(/^AUTH/m);
  });

  it('sends the password without TLS only when the URL says allowPlainAuth=true', async () => {
    const server = await smtpServer({ auth: AUTH, recordCleartext: true });
    const r = await testSend(`smtp://${AUTH.user}:${AUTH.pass}@127.0.0.1:${server.port}?allowPlainAuth=true`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.countFor('editor@example.org')).toBe(1);
    expect(server.cleartext()).toMatch(/^AUTH PLAIN/m);
  });

  it('explains smtps:// to a port that speaks plain SMTP instead of printing the OpenSSL error', async () => {
    const server = await smtpServer({});
    const r = await testSend(`smtps://127.0.0.1:${server.port}`);
    expect(r.code).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toContain('the server does not speak TLS on this port; use smtp:// (STARTTLS) or port 465');
    expect(line).not.toMatch(/wrong version number|ssl3_get_record/);
  });
});

describe('a bad SMTP_URL', () => {
  it.each([
    ['notaurl', /SMTP_URL: "notaurl" is not a URL \(expected smtp:\/\/host:587/],
    ['http://mail.example.org', /SMTP_URL: "http:\/\/mail.example.org" must start with smtp:\/\/ or smtps:\/\//],
    ['foo://x', /SMTP_URL: "foo:\/\/x" must start with smtp:\/\/ or smtps:\/\//],
    ['smtp://alice:hunter2@mail.example.org:99999', /SMTP_URL: "smtp:\/\/alice:\*\*\*@mail.example.org:99999" port 99999 is out of range/],
    ['smtp://mail.example.org:25x', /SMTP_URL: .* port "25x" is not a port number/],
    ['smtp://mail.example.org?maxConnection=9', /SMTP_URL: .* unknown option "maxConnection"/],
    ['smtp://mail.example.org?socketTimeout=soon', /option socketTimeout: "soon" is not a number of milliseconds/],
    ['smtp://alice:hunter2@mail.example.org?ignoreTLS=true', /ignoreTLS=true would send the password in clear; add allowPlainAuth=true/],
  ])('%s: send --test exits 2 with one line naming SMTP_URL', async (url, expected) => {
    const r = await testSend(url);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(expected);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('names the file field, and stops `start` the same way', async () => {
    const file = path.join(site.dir, 'bad-smtp.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(path.join(site.dir, 'pressroom.config.json'), 'utf8')), smtpUrl: 'smtp://bob:hunter2@mail.example.org:0' }));
    const send = await pressroom(['send', SLUG, '--test', 'editor@example.org'], { PRESSROOM_CONFIG: file });
    expect(send.code).toBe(2);
    expect(oneLine(send.stderr)).toBe(`pressroom: ${file}: smtpUrl: "smtp://bob:***@mail.example.org:0" port 0 is out of range (expected 1-65535)`);
    const start = await pressroom(['start', '--port', '0'], { SMTP_URL: 'foo://x' });
    expect(start.code).toBe(2);
    expect(oneLine(start.stderr)).toMatch(/^pressroom: SMTP_URL: "foo:\/\/x" must start with smtp:\/\//);
  });
});

describe('test sends', () => {
  it("get a Message-ID of their own each time, never the preview's", async () => {
    const server = await smtpServer({ keepMessages: true });
    const first = await testSend(server.url);
    const second = await testSend(server.url);
    expect([first.code, second.code], first.stderr + second.stderr).toEqual([0, 0]);
    const preview = await pressroom(['preview', SLUG, '--out', path.join(site.dir, 'preview')], {});
    expect(preview.code, preview.stderr).toBe(0);
    const messageId = (raw: string) => /^Message-ID: (<[^>]+>)/im.exec(raw)?.[1];
    const [a, b] = server.messages.map((m) => messageId(m.raw.toString('latin1')));
    const previewId = messageId(readFileSync(path.join(site.dir, 'preview', `${SLUG}.eml`), 'latin1'));
    expect(a).toMatch(new RegExp(`^<${SLUG}\\.test\\.[A-Za-z0-9]+@example\\.org>$`));
    expect(b).toMatch(new RegExp(`^<${SLUG}\\.test\\.[A-Za-z0-9]+@example\\.org>$`));
    expect(a).not.toBe(b);
    expect(previewId).toBeDefined();
    expect([a, b]).not.toContain(previewId);
  });
});
