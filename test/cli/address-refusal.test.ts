// Issue 11's `josé@example.org`: an address the sender cannot deliver (a non-ASCII local part
// needs SMTPUTF8) is refused at every door with one and the same line, the one the sign-up form
// gives (test/server/signup-abuse.test.ts): `subscribers add`, `subscribers import` and
// `send --test`, through the real CLI, a real SQLite file and a real SMTP server on loopback.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidAddressMessage, parseAddress } from '../../src/domain/address.js';
import { SLUG, siteWithSmtpPerFile } from '../support/site.js';
import { runCli } from '../support/cli.js';

const JOSE = 'josé@example.org';
const parsed = parseAddress(JOSE);
const MESSAGE = invalidAddressMessage(JOSE, parsed.ok ? '' : parsed.problem);

const fixture = siteWithSmtpPerFile();

const stored = async () => (await runCli(fixture.site, ['subscribers', 'list'])).stdout;

describe(`${JOSE} through the CLI`, { timeout: 60_000 }, () => {
  it('is refused by the domain parser for the reason the form gives', () => {
    expect(parsed.ok).toBe(false);
    expect(MESSAGE).toBe('email: "josé@example.org" is not an email address (has non-ASCII characters before the @, which Pressroom cannot deliver yet (no SMTPUTF8 support))');
  });

  it('subscribers add: that line, exit 1, nothing stored', async () => {
    const r = await runCli(fixture.site, ['subscribers', 'add', JOSE]);
    expect(r.stderr).toBe(`pressroom: ${MESSAGE}\n`);
    expect(r.code).toBe(1);
    expect(await stored()).not.toContain('example.org');
  });

  it('subscribers import: that line after file:line, the other rows imported', async () => {
    const file = path.join(fixture.site.dir, 'people.csv');
    writeFileSync(file, `email,name\nada@example.org,Ada\n${JOSE},José\n`);
    const r = await runCli(fixture.site, ['subscribers', 'import', file]);
    expect(r.stderr).toBe(`${file}:3: ${MESSAGE}\n`);
    expect(r.code).toBe(1);
    const list = await stored();
    expect(list).toContain('ada@example.org');
    expect(list).not.toContain(JOSE);
  });

  it('send --test: that line, exit 2 (a usage error), nothing sent', async () => {
    const r = await runCli(fixture.site, ['send', SLUG, '--test', JOSE], { env: { SMTP_URL: fixture.smtp.url } });
    expect(r.stderr).toBe(`pressroom: ${MESSAGE}\n`);
    expect(r.code).toBe(2);
    expect(fixture.smtp.accepted()).toBe(0);
  });

  it('send --test still delivers to a Unicode domain, as punycode', async () => {
    const r = await runCli(fixture.site, ['send', SLUG, '--test', 'jose@exämple.org'], { env: { SMTP_URL: fixture.smtp.url } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fixture.smtp.accepted()).toBe(1);
    // The server's envelope shows the domain decoded; the message itself carries the ASCII form.
    expect(fixture.smtp.messages[0]!.raw.toString('latin1')).toMatch(/^To: jose@xn--exmple-cua\.org\r$/m);
  });
});
