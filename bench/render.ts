// bench/render: render once per issue, personalize per recipient.
// Prints the one-time render cost (MJML + Liquid + text part + MIME skeleton) for a corpus issue,
// the per-recipient cost of messageFor() over 100,000 recipients, and their ratio (goal >= 1000).
// References measured in the same run: building each message with nodemailer's MailComposer
// from the already-rendered HTML/text (what a per-recipient MIME build would cost), and the same
// per-recipient loop with DKIM signing (one RSA-2048 signature per message).
//   npx tsx bench/render.ts [--recipients 100000] [--dkim-recipients 5000] [--slug sofa-weekly-20200313]
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { defaultConfig } from '../src/config/config.js';
import { findIssue, loadIssues } from '../src/content/load.js';
import { prepareIssueEmail } from '../src/email/issue-email.js';
import type { Recipient } from '../src/email/message.js';

const REPO = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const RECIPIENTS = Number(arg('recipients', '100000'));
const DKIM_RECIPIENTS = Number(arg('dkim-recipients', '5000'));
const COMPOSER_RECIPIENTS = 2000;
const SECRET = 'bench-secret-0123456789abcdef';

const config = defaultConfig(REPO);
config.issuesDir = path.resolve(REPO, '../shared/corpus/sofa-weekly');
config.site.url = 'https://weekly.example.org/';
config.site.title = 'SOFA Weekly';
config.email.fromAddress = 'weekly@weekly.example.org';
config.email.unsubscribeMailto = 'unsubscribe@weekly.example.org';
config.email.templatesDir = path.join(REPO, 'emails');

const { issues } = await loadIssues(config);
const slug = arg('slug', '');
const issue = slug ? findIssue(issues, slug) : [...issues].sort((a, b) => b.html.length - a.html.length)[0];
if (!issue) throw new Error(`no issue ${slug}`);

const recipient = (i: number): Recipient => ({ id: i + 1, email: `reader${i + 1}@example.org`, name: i % 3 === 0 ? `读者 ${i + 1}` : i % 3 === 1 ? `Reader ${i + 1}` : null });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The machine is shared and noisy, so renders and recipients are measured in alternating cycles:
// each cycle times RENDERS_PER_CYCLE renders (median), then one block of messages as a campaign
// would send them after its single render; the ratio is taken per cycle, the median reported.
// (Very short blocks would charge the garbage of the renders just before them to the recipients.)
const CYCLES = 5;
const RENDERS_PER_CYCLE = 5;

async function measure(cfg: typeof config, total: number) {
  await prepareIssueEmail(cfg, issue!, SECRET); // warm-up: module loading, JIT
  const prepared = await prepareIssueEmail(cfg, issue!, SECRET);
  for (let i = 0; i < 200; i++) prepared.messageFor(recipient(i));
  const block = Math.ceil(total / CYCLES);
  const renders: number[] = [];
  const pers: number[] = [];
  const ratios: number[] = [];
  let bytes = 0;
  let done = 0;
  let elapsed = 0;
  for (let c = 0; c < CYCLES; c++) {
    const cycleRenders: number[] = [];
    for (let r = 0; r < RENDERS_PER_CYCLE; r++) {
      const t = performance.now();
      await prepareIssueEmail(cfg, issue!, SECRET);
      cycleRenders.push(performance.now() - t);
    }
    const t = performance.now();
    for (let i = 0; i < block; i++) bytes += prepared.messageFor(recipient(done + i)).raw.length;
    const ms = performance.now() - t;
    elapsed += ms;
    done += block;
    renders.push(...cycleRenders);
    pers.push(ms / block);
    ratios.push(median(cycleRenders) / (ms / block));
  }
  return {
    prepared,
    renderMs: median(renders),
    perMs: median(pers),
    ratio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    perSec: (done / elapsed) * 1000,
    avgBytes: bytes / done,
    done,
  };
}

const plain = await measure(config, RECIPIENTS);
const prepared = plain.prepared;
const renderMs = plain.renderMs;

// Reference: a full MIME build per recipient with nodemailer (no MJML), same html/text.
const sample = prepared.partsFor(recipient(0));
let composed = 0;
const tc = performance.now();
for (let i = 0; i < COMPOSER_RECIPIENTS; i++) {
  const r = recipient(i);
  const parts = prepared.partsFor(r);
  const mail = new MailComposer({
    from: { name: config.email.fromName, address: config.email.fromAddress },
    to: { name: r.name ?? '', address: r.email },
    subject: sample.subject,
    html: parts.html,
    text: parts.text,
    list: { unsubscribe: { url: `https://weekly.example.org/unsubscribe?token=${i}`, comment: 'Unsubscribe' } },
  });
  composed += (await mail.compile().build()).length;
}
const composerPerMs = (performance.now() - tc) / COMPOSER_RECIPIENTS;

// With DKIM (RSA-2048).
const dir = mkdtempSync(path.join(tmpdir(), 'pr-bench-dkim-'));
const keyPath = path.join(dir, 'dkim.pem');
writeFileSync(keyPath, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
const dkimConfig = { ...config, email: { ...config.email, dkim: { domain: 'weekly.example.org', selector: 'bench', privateKeyPath: keyPath } } };
const signed = await measure(dkimConfig, DKIM_RECIPIENTS);

const f = (x: number, d = 1) => x.toFixed(d);
const us = (ms: number) => `${f(ms * 1000, 1)} µs`;
console.log(`issue: ${issue.slug} (issue HTML ${issue.html.length} chars, message ~${f(plain.avgBytes / 1024)} KiB)`);
console.log(`one-time render (median of ${CYCLES * RENDERS_PER_CYCLE}): ${f(renderMs)} ms`);
console.log(`per recipient, no DKIM, ${plain.done} recipients: ${us(plain.perMs)} (median cycle) -> ${Math.round(plain.perSec)} messages/s overall`);
console.log(`  ratio render / per-recipient (median of ${CYCLES} cycles): ${Math.round(plain.ratio)}x (cycles ${plain.ratioRange.map(Math.round).join('-')}x; goal >= 1000x)`);
console.log(`per recipient, DKIM RSA-2048, ${signed.done} recipients: ${us(signed.perMs)} -> ${Math.round(signed.perSec)} messages/s overall (render ${f(signed.renderMs)} ms)`);
console.log(`  ratio render / per-recipient with DKIM: ${Math.round(signed.ratio)}x (cycles ${signed.ratioRange.map(Math.round).join('-')}x)`);
console.log(`reference: nodemailer MailComposer build per recipient (no MJML), ${COMPOSER_RECIPIENTS} recipients: ${us(composerPerMs)}`);
console.log(`  splice vs MailComposer per recipient: ${f(composerPerMs / plain.perMs)}x cheaper (not interleaved: indicative)`);
if (composed === 0) throw new Error('nothing composed');
