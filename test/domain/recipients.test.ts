// Integration test by design: the recipient rule is written twice, in SQL (each dialect's
// snapshotRecipients, which fills a campaign's ledger) and in JavaScript (src/domain/recipients.ts,
// used by dry runs). One varied population goes into a real SQLite file and the real PostgreSQL
// through the public Store API; for every set of issue topics, the rows the store snapshots must be
// exactly the subscribers the domain predicate picks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { receivesIssue, recipientFilter } from '../../src/domain/recipients.js';
import { SUBSCRIBER_STATUSES } from '../../src/domain/subscriber-status.js';
import { openStore } from '../../src/storage/open.js';
import type { NewSubscriber, Store, Subscriber } from '../../src/storage/store.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';

// Spellings that must fold together, characters that mean something in SQL, JSON or a PostgreSQL
// array literal, and a topic that is literally "[]" (the SQLite rule tests for the text '[]').
const TOPIC_SETS: string[][] = [
  [],
  ['go'],
  [' Go '],
  ['rust'],
  ['go', 'rust'],
  ['ÉTÉ'],
  ['sofa weekly'],
  ['sofa-weekly'],
  ['周报'],
  ['a,b'],
  ["o'brien"],
  ['%'],
  ['_'],
  ['[]'],
  ['{}'],
  ['"quoted"'],
  ['back\\slash'],
  ['null'],
  ['go', '周报', 'ÉTÉ'],
];

const ISSUE_TOPICS: string[][] = [
  [],
  ['  '],
  ['Go'],
  ['RUST', 'go'],
  ['été'],
  ['SOFA Weekly'],
  ['sofa-weekly'],
  ['周报'],
  ['a,b'],
  ["O'Brien"],
  ['%'],
  ['[]'],
  ['{}', 'null'],
  ['"quoted"', 'back\\slash'],
  ['nothing-matches'],
];

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function sequence(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Every status with every topic set, then a seeded mix; some reach their state by later changes. */
async function populate(store: Store): Promise<void> {
  let n = 0;
  const email = () => `person${++n}@example.org`;
  for (const status of SUBSCRIBER_STATUSES) {
    for (const topics of TOPIC_SETS) await store.addSubscriber({ email: email(), topics, status });
  }
  const random = sequence(11);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const imported: NewSubscriber[] = [];
  for (let i = 0; i < 150; i++) imported.push({ email: email(), topics: [...pick(TOPIC_SETS), ...pick(TOPIC_SETS)], status: pick(SUBSCRIBER_STATUSES) });
  await store.importSubscribers(imported);
  // Changed after the fact: confirmed, left, lost or regained their topics.
  const confirmed = await store.addSubscriber({ email: email(), topics: ['go'], status: 'pending' });
  await store.setSubscriberStatus(confirmed.id, 'active', new Date(), 'pending');
  const left = await store.addSubscriber({ email: email(), topics: [] });
  await store.setSubscriberStatus(left.id, 'unsubscribed');
  const cleared = await store.addSubscriber({ email: email(), topics: ['rust'] });
  await store.setSubscriberTopics(cleared.id, []);
  const narrowed = await store.addSubscriber({ email: email(), topics: [] });
  await store.setSubscriberTopics(narrowed.id, ['ÉTÉ', ' %']);
}

async function everySubscriber(store: Store): Promise<Subscriber[]> {
  const all: Subscriber[] = [];
  for (let afterId = 0; ; ) {
    const page = await store.listSubscribers({ afterId, limit: 1000 });
    if (page.length === 0) return all;
    all.push(...page);
    afterId = page[page.length - 1]!.id;
  }
}

function agreesWithTheDomain(dialect: string, open: () => Promise<Store>): void {
  describe(`${dialect}: the campaign snapshot and receivesIssue`, () => {
    let store: Store;
    let population: Subscriber[];

    it('stores the population', async () => {
      store = await open();
      await populate(store);
      population = await everySubscriber(store);
      expect(population.length).toBe(SUBSCRIBER_STATUSES.length * TOPIC_SETS.length + 154);
    });

    it.each(ISSUE_TOPICS.map((topics, i) => [i, topics] as const))('issue topics #%i %j: the same recipients', async (i, topics) => {
      const { campaign } = await store.createCampaign({ slug: `issue-${i}`, title: `Issue ${i}`, topics });
      const claimed = await store.claimBatch(campaign.id, 'recipients-test', 100_000, 60_000);
      const snapshot = claimed.map((row) => row.subscriberId).sort((a, b) => a - b);
      const receives = recipientFilter(topics);
      const expected = population.filter((s) => receives(s)).map((s) => s.id);
      expect(snapshot).toEqual(expected);
      expect(campaign.recipients).toBe(expected.length);
      for (const s of population) expect(receivesIssue(s, topics)).toBe(expected.includes(s.id));
    });

    it('tells the issues apart: the population is not trivially all-or-nothing', () => {
      const counts = ISSUE_TOPICS.map((topics) => population.filter(recipientFilter(topics)).length);
      const active = population.filter((s) => s.status === 'active').length;
      expect(new Set(counts).size).toBeGreaterThan(5);
      expect(Math.max(...counts)).toBeLessThan(active);
      expect(Math.min(...counts)).toBeGreaterThan(0);
    });

    afterAll(async () => {
      await store?.close();
    });
  });
}

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-recipients-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
agreesWithTheDomain('SQLite', () => openStore({ ...defaultConfig(), dataDir: root, databaseUrl: undefined }));

const available = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (available) await schemas.dropAll();
});
if (available) agreesWithTheDomain('PostgreSQL', () => openStore({ ...defaultConfig(), databaseUrl: schemas.url(schemas.next()) }));
