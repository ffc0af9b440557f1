// Rendered issue emails shared by every pass and worker (src/email/render-cache.ts decides the key
// and what the parts are; this is only the table). A row holds the parts, or, while one worker
// renders them, a claim the others wait on; a claim that lapses (its worker died) is taken over.
import type { RenderClaim } from '../store.js';
import type { Dialect } from './dialect.js';

/** Entries saved longer ago than this are dropped when another is saved: a later pass renders again. */
export const RENDER_RETENTION_MS = 30 * 24 * 3600 * 1000;

const SQL = {
  claim: `INSERT INTO render_cache (key, claimed_until, claimed_by) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
  // A claim of the same worker id is its own (an earlier run that died mid-render): taken back at once.
  takeOver: `UPDATE render_cache SET claimed_until = $2, claimed_by = $4 WHERE key = $1 AND parts IS NULL AND (claimed_until <= $3 OR claimed_by = $4)`,
  read: `SELECT parts, digest, claimed_until FROM render_cache WHERE key = $1`,
  save: `INSERT INTO render_cache (key, parts, digest, claimed_until, saved_at) VALUES ($1, $2, $3, NULL, $4)
      ON CONFLICT (key) DO UPDATE SET parts = excluded.parts, digest = excluded.digest, claimed_until = NULL, claimed_by = NULL, saved_at = excluded.saved_at`,
  prune: `DELETE FROM render_cache WHERE saved_at < $1 OR (parts IS NULL AND claimed_until < $1)`,
  release: `DELETE FROM render_cache WHERE key = $1 AND parts IS NULL`,
} as const;

export function claimRender(db: Dialect, key: string, workerId: string, leaseMs: number, now: number): Promise<RenderClaim> {
  const until = now + leaseMs;
  return db.transaction(async (tx) => {
    if ((await tx.run(SQL.claim, [key, until, workerId])) > 0) return { kind: 'claimed' };
    if ((await tx.run(SQL.takeOver, [key, until, now, workerId])) > 0) return { kind: 'claimed' };
    const row = await tx.one<{ parts: string | null; digest: string | null; claimed_until: number | null }>(SQL.read, [key]);
    if (row?.parts != null) return { kind: 'stored', parts: row.parts, digest: row.digest ?? '' };
    return { kind: 'busy', until: Number(row?.claimed_until ?? now) };
  });
}

export function saveRender(db: Dialect, key: string, parts: string, digest: string, now: number): Promise<void> {
  return db.transaction(async (tx) => {
    await tx.run(SQL.save, [key, parts, digest, now]);
    await tx.run(SQL.prune, [now - RENDER_RETENTION_MS]);
  });
}

export async function releaseRender(db: Dialect, key: string): Promise<void> {
  await db.run(SQL.release, [key]);
}
