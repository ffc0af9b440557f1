// The status list lives in src/domain/subscriber-status.ts; the tables' CHECK constraints are in
// migrations, which are history and never edited. This test is what keeps the two equal: a status
// added to the tuple without a migration (or the reverse) fails here, not in production.
import { describe, expect, it } from 'vitest';
import { isSubscriberStatus, SUBSCRIBER_STATUSES } from '../../src/domain/subscriber-status.js';
import { MIGRATIONS as POSTGRES_MIGRATIONS } from '../../src/storage/postgres/sql.js';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/storage/sqlite/sql.js';

/** Every `CHECK (status IN (...))` list in a dialect's migrations, each as its array of values. */
function statusChecks(migrations: ReadonlyArray<{ sql: string }>): string[][] {
  const lists: string[][] = [];
  for (const { sql } of migrations) {
    for (const match of sql.matchAll(/CHECK\s*\(\s*status\s+IN\s*\(([^)]*)\)\s*\)/gi)) {
      lists.push([...match[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!));
    }
  }
  return lists;
}

describe('SUBSCRIBER_STATUSES', () => {
  it.each([
    ['SQLite', SQLITE_MIGRATIONS],
    ['PostgreSQL', POSTGRES_MIGRATIONS],
  ])('equals the CHECK constraint of the %s subscribers table', (_dialect, migrations) => {
    const checks = statusChecks(migrations);
    expect(checks.length).toBeGreaterThan(0);
    for (const list of checks) expect(list).toEqual([...SUBSCRIBER_STATUSES]);
  });

  it('recognises exactly its own members', () => {
    for (const status of SUBSCRIBER_STATUSES) expect(isSubscriberStatus(status)).toBe(true);
    for (const other of ['Active', ' active', 'deleted', '', undefined, null, 1, ['active']]) expect(isSubscriberStatus(other)).toBe(false);
  });
});
