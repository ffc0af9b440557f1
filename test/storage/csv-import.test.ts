// The CSV import core (what `pressroom subscribers import` runs), in-process on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import { formatImportProblem, ImportHeaderError, importSubscribersCsv, splitTopics } from '../../src/storage/csv-import.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function importText(text: string | string[]) {
  const store = new SqliteStore(path.join(root, `db-${++n}.sqlite`));
  await store.migrate();
  const problems: string[] = [];
  const input = () => Readable.from(Array.isArray(text) ? text : [text]);
  const summary = await importSubscribersCsv(store, input, { file: 'subs.csv', onProblem: (p) => problems.push(formatImportProblem(p)) });
  return { store, problems, summary };
}

it('splits topics on ; or |', () => {
  expect(splitTopics(' go; rust|k8s ;; ')).toEqual(['go', 'rust', 'k8s']);
  expect(splitTopics('')).toEqual([]);
});

it('reports bad statuses and broken quoting with their lines, keeps going, imports the rest', async () => {
  const { store, problems, summary } = await importText(
    [
      'status,email,topics', // 1 columns in any order
      'active,a@example.org,Go|RUST', // 2
      'gone,b@example.org,', // 3
      ',c@example.org,', // 4 empty status -> active
      'unsubscribed,d@example.org,x', // 5
      'active,"e@example.org""x,', // 6 broken quote ...
    ].join('\n'),
  );
  expect(problems[0]).toBe('subs.csv:3: status: "gone" is not one of pending, active, unsubscribed, bounced, complained');
  expect(problems[1]).toMatch(/^subs\.csv:\d+: CSV: /);
  expect(problems).toHaveLength(2);
  expect(summary).toEqual({ rows: 5, added: 3, duplicates: 0, suppressed: 0, bad: 2 });
  expect((await store.findSubscriberByEmail('a@example.org'))?.topics).toEqual(['go', 'rust']);
  expect((await store.findSubscriberByEmail('c@example.org'))?.status).toBe('active');
  expect((await store.findSubscriberByEmail('d@example.org'))?.status).toBe('unsubscribed');
  expect((await store.findSubscriberByEmail('a@example.org'))?.source).toBe('import:subs.csv');
  await store.close();
});

it('gives the line a multi-line record starts on, across input chunks', async () => {
  const { store, problems } = await importText(['email,name\n', 'ok@example.org,"one\ntwo\nth', 'ree"\n', 'bad@@example.org,"x\ny"\n', '\n', 'worse@,z\n']);
  expect(problems).toEqual([
    'subs.csv:5: email: "bad@@example.org" is not an email address (has more than one @)',
    'subs.csv:8: email: "worse@" is not an email address (has no domain after the @)',
  ]);
  // Line breaks in a name become spaces, as in the sign-up form (names end up in headers).
  expect((await store.findSubscriberByEmail('ok@example.org'))?.name).toBe('one two three');
  await store.close();
});

it('counts duplicates across the 5,000-row chunks and within them', async () => {
  const lines = ['email'];
  for (let i = 0; i < 12_000; i++) lines.push(`u${i % 9000}@example.org`); // 3,000 repeats, some in a later chunk
  lines.push('U1@EXAMPLE.ORG');
  const { store, summary } = await importText(lines.join('\n'));
  expect(summary).toEqual({ rows: 12_001, added: 9000, duplicates: 3001, suppressed: 0, bad: 0 });
  expect(await store.countSubscribers()).toBe(9000);
  await store.close();
});

it('refuses a header it does not understand before writing anything', async () => {
  await expect(importText('email,email\na@example.org,b@example.org\n')).rejects.toThrow(ImportHeaderError);
  await expect(importText('e-mail\na@example.org\n')).rejects.toThrow('subs.csv:1: header: unknown column "e-mail"');
});

it('finds bad bytes and unclosed quotes by line whatever the chunking; a character split across chunks is fine', async () => {
  const bytes = Buffer.concat([
    Buffer.from('email,name\nok1@example.org,Zoë\n'), // 1-2
    Buffer.from('open@example.org,"never closed\n'), // 3
    Buffer.from('ok2@example.org,Ok\n'), // 4
    Buffer.from([0x62, 0x61, 0x64, 0x40, 0x78, 0x2e, 0x6f, 0x72, 0x67, 0x2c, 0xc3, 0x28, 0x0a]), // 5: bad@x.org,<invalid UTF-8>
    Buffer.from('ok3@example.org,"Quoted ""fine"""\n'), // 6
  ]);
  for (const size of [1, 3, 7, 64, bytes.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const store = new SqliteStore(path.join(root, `db-${++n}.sqlite`));
    await store.migrate();
    const problems: string[] = [];
    const summary = await importSubscribersCsv(store, () => Readable.from(chunks), { file: 'subs.csv', onProblem: (p) => problems.push(formatImportProblem(p)) });
    expect(problems, `chunks of ${size}`).toEqual([
      'subs.csv:3: CSV: a quoted field opens on this line and is closed on line 6 but followed by more text',
      'subs.csv:5: CSV: invalid UTF-8 (save the file as UTF-8)',
    ]);
    expect(summary).toEqual({ rows: 5, added: 3, duplicates: 0, suppressed: 0, bad: 2 });
    expect((await store.findSubscriberByEmail('ok1@example.org'))?.name).toBe('Zoë');
    expect((await store.findSubscriberByEmail('ok3@example.org'))?.name).toBe('Quoted "fine"');
    await store.close();
  }
});

it('a quote after blanks still opens a field (csv-parse trims), so an unclosed one there is caught too', async () => {
  const { store, problems, summary } = await importText('email,name\nada@example.org,  "Ada\nbob@example.org, "Bob" \n');
  expect(problems).toEqual(['subs.csv:2: CSV: a quoted field opens on this line and is closed on line 3 but followed by more text']);
  expect(summary).toEqual({ rows: 2, added: 1, duplicates: 0, suppressed: 0, bad: 1 });
  expect((await store.findSubscriberByEmail('bob@example.org'))?.name).toBe('Bob');
  await store.close();
});
