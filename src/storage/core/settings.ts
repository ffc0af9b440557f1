// Small key/value settings (e.g. the worker's back-catalogue watermark), written once over the dialect.
import type { Dialect } from './dialect.js';

const SQL = {
  getSetting: `SELECT value FROM settings WHERE key = $1`,
  setSetting: `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  initSetting: `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
} as const;

export async function getSetting(db: Dialect, key: string): Promise<string | null> {
  return (await db.one<{ value: string }>(SQL.getSetting, [key]))?.value ?? null;
}

export async function setSetting(db: Dialect, key: string, value: string): Promise<void> {
  await db.run(SQL.setSetting, [key, value]);
}

/**
 * The first writer wins: a racing insert waits on the key until the winner commits and then
 * inserts nothing; the read that follows (a statement of its own) sees the winner's value.
 */
export function initSetting(db: Dialect, key: string, value: string): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.run(SQL.initSetting, [key, value]);
    return (await tx.one<{ value: string }>(SQL.getSetting, [key]))!.value;
  });
}
