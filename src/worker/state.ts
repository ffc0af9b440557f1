// Worker state kept in the store's settings, so every process (serve, worker, CLI) sees it.
import type { Store } from '../storage/store.js';

/** Epoch ms of the first worker start: issues dated before it are feeds-only unless sent by hand. */
export const WATERMARK_KEY = 'worker.watermark';
/** JSON LastTick of the most recent tick of any worker. */
export const LAST_TICK_KEY = 'worker.lastTick';

export interface LastTick {
  /** Epoch ms when the tick finished. */
  at: number;
  ok: boolean;
  error?: string;
  /** Issue files with problems (skipped) in that tick; /healthz reports > 0 as degraded. */
  problems?: number;
}

export async function readWatermark(store: Store): Promise<number | null> {
  const value = await store.getSetting(WATERMARK_KEY);
  if (value === null) return null;
  const ms = Number(value);
  return Number.isFinite(ms) ? ms : null;
}

/** Sets the watermark on first start only; returns the one in force. */
export async function ensureWatermark(store: Store, now: number): Promise<number> {
  const existing = await readWatermark(store);
  if (existing !== null) return existing;
  // Several workers may start at the same moment: the first one's value wins for all of them.
  const stored = Number(await store.initSetting(WATERMARK_KEY, String(now)));
  return Number.isFinite(stored) ? stored : now;
}

export async function readLastTick(store: Store): Promise<LastTick | null> {
  const value = await store.getSetting(LAST_TICK_KEY);
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as LastTick;
    return typeof parsed.at === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

export async function writeLastTick(store: Store, tick: LastTick): Promise<void> {
  await store.setSetting(LAST_TICK_KEY, JSON.stringify(tick));
}
