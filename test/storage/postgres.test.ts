import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { openStore } from '../../src/storage/open.js';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { MIGRATIONS, SQL } from '../../src/storage/postgres/sql.js';
import { StoreError } from '../../src/storage/store.js';
import { PG_BASE_URL, postgresAvailable, SchemaPool } from './pg-harness.js';
import { accountsContract } from './accounts-contract.js';
import { workersContract } from './workers-contract.js';
import { brakesContract } from './brakes-contract.js';
import { errorsContract } from './errors-contract.js';
import { eventsContract } from './events-contract.js';
import { feedbackContract } from './feedback-contract.js';
import { newcomersContract } from './newcomers-contract.js';
import { storeContract } from './store-contract.js';
import { subscriberSearchContract } from './subscriber-search-contract.js';

const available = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (available) await schemas.dropAll();
});

async function openAt(url: string): Promise<PostgresStore> {
  const store = new PostgresStore(url, { max: 4 });
  await store.migrate();
  return store;
}

if (available) {
  const harness = {
    async fresh() {
      const url = schemas.url(schemas.next());
      return { store: await openAt(url), another: () => openAt(url) };
    },
  };
  storeContract('PostgreSQL', harness);
  feedbackContract('PostgreSQL', harness);
  eventsContract('PostgreSQL', harness);
  brakesContract('PostgreSQL', harness);
  newcomersContract('PostgreSQL', harness);
  accountsContract('PostgreSQL', harness);
  workersContract('PostgreSQL', harness);
  errorsContract('PostgreSQL', harness);
  subscriberSearchContract('PostgreSQL', harness);
}

describe.skipIf(!available)('PostgreSQL adapter', () => {
  it('openStore picks PostgreSQL for postgres:// and creates the ?schema= schema', async () => {
    const schema = schemas.next();
    const store = await openStore({ ...defaultConfig(), databaseUrl: schemas.url(schema) });
    expect(store).toBeInstanceOf(PostgresStore);
    expect(await (store as PostgresStore).schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    await store.addSubscriber({ email: 'a@example.org' });
    await store.close();
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".subscribers`);
    await client.end();
    expect(rows[0].n).toBe(1);
  });

  it('migrates exactly once when several processes start at the same moment (advisory lock)', async () => {
    const url = schemas.url(schemas.next());
    const stores = Array.from({ length: 5 }, () => new PostgresStore(url, { max: 2 }));
    await Promise.all(stores.map((s) => s.migrate()));
    const versions = await Promise.all(stores.map((s) => s.schemaVersion()));
    expect(new Set(versions)).toEqual(new Set([MIGRATIONS[MIGRATIONS.length - 1]!.version]));
    await stores[0]!.addSubscriber({ email: 'x@example.org' });
    expect(await stores[4]!.countSubscribers()).toBe(1);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('returns ids and epoch times as numbers beyond 2^31', async () => {
    const schema = schemas.next();
    const store = await openAt(schemas.url(schema));
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    await client.query(`ALTER TABLE "${schema}".subscribers ALTER COLUMN id RESTART WITH 5000000000`);
    await client.end();
    const s = await store.addSubscriber({ email: 'big@example.org' });
    expect(s.id).toBe(5_000_000_000);
    const { campaign } = await store.createCampaign({ slug: 'big', title: 'Big', topics: [] });
    const [d] = await store.claimBatch(campaign.id, 'w', 1, 1000, 1_800_000_000_000);
    expect(d).toMatchObject({ subscriberId: 5_000_000_000, leaseUntil: 1_800_000_001_000 });
    expect((await store.getSubscriber(5_000_000_000))?.email).toBe('big@example.org');
    await store.close();
  });

  it('keeps other startup options given in the URL next to ?schema=', async () => {
    const schema = schemas.next();
    const u = new URL(schemas.url(schema));
    u.searchParams.set('options', '-c application_name=pressroom_test');
    const store = await openAt(u.toString());
    await store.addSubscriber({ email: 'opt@example.org' });
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".subscribers`);
    const apps = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pressroom_test'`);
    await client.end();
    await store.close();
    expect(rows[0].n).toBe(1);
    expect(apps.rows[0].n).toBeGreaterThan(0);
  });

  it('claims through the claim index and the primary key, never a scan of the ledger', async () => {
    const schema = schemas.next();
    const store = await openAt(schemas.url(schema));
    await store.importSubscribers(Array.from({ length: 20_000 }, (_, i) => ({ email: `p${i}@example.org` })));
    const { campaign } = await store.createCampaign({ slug: 'plan', title: 'Plan', topics: [] });
    await store.close();
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    await client.query(`SET search_path = "${schema}"`);
    await client.query('ANALYZE deliveries');
    const { rows } = await client.query(`EXPLAIN ${SQL.claimBatch}`, [campaign.id, Date.now(), 'w', Date.now() + 1000, 500]);
    await client.end();
    const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index Scan using deliveries_claimable/);
    expect(plan).toMatch(/Index Scan using deliveries_pkey/);
    expect(plan).not.toMatch(/Seq Scan|Hash Semi Join/);
    // The check of the campaign row (paused, cancelled) is one lookup by primary key, a filter evaluated once.
    expect(plan).toMatch(/Index Scan using campaigns_pkey on campaigns/);
    expect(plan).toMatch(/One-Time Filter/);
  });

  it('reports an unreachable server and a bad schema name in one line', async () => {
    const err = await openStore({ ...defaultConfig(), databaseUrl: 'postgres://postgres:hunter2@127.0.0.1:1/test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:1\/test: cannot connect to PostgreSQL \(ECONNREFUSED/);
    expect((err as Error).message).not.toContain('hunter2');
    await expect(openStore({ ...defaultConfig(), databaseUrl: `${PG_BASE_URL}?schema=x;drop` })).rejects.toThrow(/DATABASE_URL: schema "x;drop" must be letters, digits and _/);
  });
});
