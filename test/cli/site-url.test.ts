// One site URL for every command: with no site URL configured, `build`, `preview`, `send` and
// `serve` all derive it from the port PRESSROOM_PORT names, and feed ids do not depend on the port.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { freePort } from '../e2e/ports.js';
import { SLUG, siteWithSmtpPerFile } from '../support/site.js';
import { runCli, siteEnv, startCli, type CliRun } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

const fixture = siteWithSmtpPerFile();

function pressroom(args: string[], extra: Record<string, string> = {}): Promise<CliRun> {
  return runCli(fixture.site, args, { env: extra });
}

async function build(out: string, extra: Record<string, string> = {}) {
  const r = await pressroom(['build', '--out', path.join(fixture.site.dir, out)], extra);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const read = (f: string) => readFileSync(path.join(fixture.site.dir, out, f), 'utf8');
  const json = JSON.parse(read('feed.json')) as { items: Array<{ id: string; url: string }> };
  return {
    rss: read('feed.xml'),
    index: read('index.html'),
    ids: {
      rss: [...read('feed.xml').matchAll(/<guid isPermaLink="false">([^<]+)<\/guid>/g)].map((m) => m[1]),
      atom: [...read('atom.xml').matchAll(/<entry>[\s\S]*?<id>([^<]+)<\/id>/g)].map((m) => m[1]),
      json: json.items.map((i) => i.id),
    },
  };
}

// RFC 4151: tag:<DNS name or email address>,<date>:<specific>; a DNS name has no port.
const DNS_COMPONENT = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const TAG_URI = new RegExp(`^tag:${DNS_COMPONENT}(?:\\.${DNS_COMPONENT})*,\\d{4}(?:-\\d{2}(?:-\\d{2})?)?:[^\\s]+$`, 'i');

describe('the site URL without site.url', () => {
  it('build writes links for the port PRESSROOM_PORT names, with the same feed ids as on any other port', async () => {
    const onDefault = await build('public-default');
    const on9123 = await build('public-9123', { PRESSROOM_PORT: '9123' });
    expect(on9123.rss).toContain(`<link>http://localhost:9123/issues/${SLUG}/</link>`);
    expect(on9123.rss).not.toContain('localhost:8080');
    expect(on9123.index).toContain('action="http://localhost:9123/subscribe"');
    expect(onDefault.rss).toContain(`<link>http://localhost:8080/issues/${SLUG}/</link>`);

    // Readers must not see every issue again because the port changed.
    expect(on9123.ids).toEqual(onDefault.ids);
    expect(on9123.ids.rss).toEqual([`tag:localhost,2000:/issues/${SLUG}`]);
    for (const id of [...on9123.ids.rss, ...on9123.ids.atom, ...on9123.ids.json]) expect(id).toMatch(TAG_URI);

    // An explicit site URL with a port: the port is not part of the tag authority either.
    const explicit = await build('public-explicit', { PRESSROOM_SITE_URL: 'https://news.example.org:8443/weekly/' });
    expect(explicit.ids.atom).toEqual([`tag:news.example.org,2000:/weekly/issues/${SLUG}`]);
    expect(explicit.rss).toContain(`https://news.example.org:8443/weekly/issues/${SLUG}/`);
  });

  it('preview and send --test put that port into links and List-Unsubscribe', async () => {
    const preview = await pressroom(['preview', SLUG, '--out', path.join(fixture.site.dir, 'preview')], { PRESSROOM_PORT: '9123' });
    expect(preview.code, preview.stderr).toBe(0);
    const eml = await simpleParser(readFileSync(path.join(fixture.site.dir, 'preview', `${SLUG}.eml`)));
    expect(String(eml.headers.get('list-unsubscribe') ?? JSON.stringify(eml.headerLines))).toContain('http://localhost:9123/unsubscribe?token=');
    expect(eml.html).toContain(`http://localhost:9123/issues/${SLUG}/`);

    const test = await pressroom(['send', SLUG, '--test', 'editor@example.org'], { PRESSROOM_PORT: '9123', SMTP_URL: fixture.smtp.url });
    expect(test.code, test.stderr).toBe(0);
    const sent = fixture.smtp.messages.at(-1)!.raw.toString('latin1');
    expect(sent).toMatch(/^List-Unsubscribe: <http:\/\/localhost:9123\/unsubscribe\?token=/m);
    expect(sent).not.toContain('localhost:8080');
  });

  it("a build beside a running server on another port writes the form that server's CSP allows", async () => {
    const port = await freePort();
    const out = path.join(fixture.site.dir, 'public-served');
    const server = startCli(['serve'], { cwd: fixture.site.dir, env: { ...siteEnv(fixture.site), PRESSROOM_PORT: String(port), PRESSROOM_OUT_DIR: out } });
    try {
      let csp: string | null = null;
      await waitFor(
        async () => {
          csp = await fetch(`http://127.0.0.1:${port}/`).then(
            (r) => (r.ok ? r.headers.get('content-security-policy') : null),
            () => null,
          );
          return csp !== null;
        },
        { what: 'serve to answer', timeout: 30_000, interval: 100, alive: server },
      );
      const built = await pressroom(['build'], { PRESSROOM_PORT: String(port), PRESSROOM_OUT_DIR: out });
      expect(built.code, built.stderr).toBe(0);
      const action = /<form class="subscribe" method="post" action="([^"]+)"/.exec(readFileSync(path.join(out, 'index.html'), 'utf8'))![1]!;
      const formTargets = /form-action ([^;]+)/.exec(csp!)![1]!.split(' ');
      expect(formTargets).toContain(new URL(action).origin);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited, server.output()).toBe(0);
  });
});
