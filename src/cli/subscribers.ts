// `pressroom subscribers add|remove|list|import|export`: operator access to the list, through the
// Store (SQLite by default, PostgreSQL with DATABASE_URL). list and export page through the store
// by id (keyset), so they stream any list size in constant memory.
import { createReadStream, type ReadStream } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { EXPORT_COLUMNS, exportCells } from '../domain/subscriber-csv.js';
import { isSubscriberStatus, SUBSCRIBER_STATUSES, type SubscriberStatus } from '../domain/subscriber-status.js';
import { openStore } from '../storage/open.js';
import { DuplicateSubscriberError, InvalidEmailError, StoreError, type Store, type Subscriber } from '../storage/store.js';
import { configFrom, UsageError } from './common.js';
import { oneLine } from '../domain/one-line.js';

const PAGE = 1000;

interface Options {
  config?: string;
  dataDir?: string;
}

export function registerSubscriberCommands(program: Command): void {
  const group = program.command('subscribers').description('manage the subscriber list (SQLite in the data folder, or DATABASE_URL)');
  const common = (c: Command) =>
    c
      .option('--data-dir <dir>', 'data folder holding pressroom.db (default ./data or PRESSROOM_DATA_DIR)')
      .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)');

  common(
    group
      .command('add <email>')
      .description('add one subscriber (active unless --status says otherwise)')
      .option('--name <name>', 'display name')
      .option('--topics <list>', 'comma-separated topics (tags/categories) wanted; none = everything')
      .option('--status <status>', `one of ${SUBSCRIBER_STATUSES.join(', ')}`, 'active'),
  ).action(async (email: string, options: Options & { name?: string; topics?: string; status: string }) => {
    const status = parseStatus(options.status);
    await withStore(await configFrom(options), async (store) => {
      try {
        const topics =
          options.topics
            ?.split(',')
            .map((t) => t.trim())
            .filter(Boolean) ?? [];
        const s = await store.addSubscriber({ email, name: options.name ?? null, topics, status, source: 'cli' });
        console.log(`added #${s.id} ${s.email} (${s.status}${s.topics.length ? `; topics: ${s.topics.join(', ')}` : ''})`);
      } catch (err) {
        if (err instanceof DuplicateSubscriberError || err instanceof InvalidEmailError) {
          console.error(`pressroom: ${err.message}`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
    });
  });

  // `remove` erases too: a removed subscriber's address kept in the ledger served no one and leaked.
  common(group.command('erase <email>').description('erase an address everywhere (GDPR): the subscriber, its queued email, its address in the ledger')).action(
    (email: string, options: Options) => eraseCommand(email, options, 'erased'),
  );
  common(group.command('remove <email>').description('the same as erase (matched case-insensitively)')).action((email: string, options: Options) =>
    eraseCommand(email, options, 'removed'),
  );

  common(
    group
      .command('list')
      .description('print subscribers, one per line: id, email, status, name, topics (tab-separated)')
      .option('--status <status>', `only this status: ${SUBSCRIBER_STATUSES.join(', ')}`),
  ).action(async (options: Options & { status?: string }) => {
    const status = options.status === undefined ? undefined : parseStatus(options.status);
    await withStore(await configFrom(options), async (store) => {
      let n = 0;
      for await (const page of pages(store, status)) {
        n += page.length;
        const line = (s: Subscriber) => [s.id, s.email, s.status, oneLine(s.name ?? ''), s.topics.join(',')].join('\t') + '\n';
        if (!(await write(page.map(line).join('')))) return;
      }
      console.error(`${n} subscriber${n === 1 ? '' : 's'}${status ? ` (${status})` : ''}`);
    });
  });

  common(group.command('import <file>').description('import a CSV file with a header row: email (required), name, topics ("a;b" or "a|b"), status, source')).action(
    async (file: string, options: Options) => {
      const { formatImportProblem, ImportHeaderError, importSubscribersCsv } = await import('../storage/csv-import.js');
      await withStore(await configFrom(options), async (store) => {
        const input = createReadStream(file);
        const opened = new Promise<void>((resolve, reject) => {
          input.once('open', () => resolve());
          input.once('error', reject);
        });
        try {
          await opened;
        } catch (err) {
          throw new UsageError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
        try {
          // The stream opened above (to report an unreadable file as such) serves the first pass.
          let unused: ReadStream | null = input;
          const open = () => {
            const stream = unused ?? createReadStream(file);
            unused = null;
            return stream;
          };
          const r = await importSubscribersCsv(store, open, { file, onProblem: (p) => console.error(formatImportProblem(p)) });
          console.log(
            `${file}: ${r.rows} row${r.rows === 1 ? '' : 's'}: ${r.added} added, ${r.duplicates} duplicate${r.duplicates === 1 ? '' : 's'} skipped, ` +
              `${r.suppressed} suppressed address${r.suppressed === 1 ? '' : 'es'} skipped, ${r.bad} bad row${r.bad === 1 ? '' : 's'} skipped`,
          );
          if (r.bad > 0) process.exitCode = 1;
        } catch (err) {
          if (err instanceof ImportHeaderError) {
            console.error(err.message);
            process.exitCode = 1;
            return;
          }
          throw err;
        }
      });
    },
  );

  common(
    group
      .command('export')
      .description(`write the list as CSV to stdout (${EXPORT_COLUMNS.join(',')}); import reads it back`)
      .option('--status <status>', `only this status: ${SUBSCRIBER_STATUSES.join(', ')}`)
      .option('--email <address>', 'instead: everything stored about this one address, as JSON (GDPR access request)'),
  ).action(async (options: Options & { status?: string; email?: string }) => {
    if (options.email !== undefined) return exportPerson(options.email, options);
    const status = options.status === undefined ? undefined : parseStatus(options.status);
    const { csvRows } = await import('../domain/csv-cells.js');
    await withStore(await configFrom(options), async (store) => {
      if (!(await write(csvRows([EXPORT_COLUMNS])))) return;
      for await (const page of pages(store, status)) {
        const ok = await write(csvRows(page.map(exportCells)));
        if (!ok) return;
      }
    });
  });
}

async function eraseCommand(email: string, options: Options, verb: string): Promise<void> {
  await withStore(await configFrom(options), async (store) => {
    if (await store.eraseSubscriber(email)) {
      console.log(`${verb} ${email}`);
    } else {
      console.error(`pressroom: ${email}: not subscribed`);
      process.exitCode = 1;
    }
  });
}

/** `export --email`: the subscriber, its ledger rows and its system mail, as one JSON document. */
async function exportPerson(email: string, options: Options & { status?: string }): Promise<void> {
  if (options.status !== undefined) throw new UsageError('--email and --status cannot be used together');
  await withStore(await configFrom(options), async (store) => {
    const found = await store.exportSubscriber(email);
    if (!found) {
      console.error(`pressroom: ${email}: nothing stored about this address`);
      process.exitCode = 1;
      return;
    }
    await write(`${JSON.stringify({ email, ...found }, null, 2)}\n`);
  });
}

async function* pages(store: Store, status: SubscriberStatus | undefined): AsyncGenerator<Subscriber[]> {
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listSubscribers({ status, afterId, limit: PAGE });
    if (page.length === 0) return;
    yield page;
    afterId = page[page.length - 1]!.id;
  }
}

/**
 * Writes to stdout respecting back-pressure, so a huge export never piles up in memory. Resolves
 * false once the reader has gone away (`... | head`): the command then stops quietly.
 */
let stdoutClosed = false;
function write(text: string): Promise<boolean> {
  if (stdoutClosed) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') {
        stdoutClosed = true;
        resolve(false);
      } else reject(err);
    };
    process.stdout.once('error', onError);
    const done = () => {
      process.stdout.off('error', onError);
      resolve(!stdoutClosed);
    };
    try {
      if (process.stdout.write(text)) setImmediate(done);
      else process.stdout.once('drain', done);
    } catch (err) {
      onError(err as NodeJS.ErrnoException);
    }
  });
}

function parseStatus(value: string): SubscriberStatus {
  if (!isSubscriberStatus(value)) {
    throw new UsageError(`--status: "${value}" is not one of ${SUBSCRIBER_STATUSES.join(', ')}`);
  }
  return value;
}

/** Opens the store, runs `fn`, always closes; a store that cannot be opened is a configuration error (exit 2). */
export async function withStore(config: Config, fn: (store: Store) => Promise<void>): Promise<void> {
  let store: Store;
  try {
    store = await openStore(config);
  } catch (err) {
    const { ConfigError } = await import('../config/config.js');
    if (err instanceof StoreError) throw new ConfigError(err.message);
    throw err;
  }
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}
