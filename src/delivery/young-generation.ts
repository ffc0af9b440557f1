// The V8 heap of long-running and sending processes, held small. Sending allocates fast and
// briefly (per message: the head, the envelope, promises), and loading the server's ~500 modules at
// `start` survives many scavenges; either way V8 grows the young generation to its default maximum
// (two 16 MB semi-spaces) and keeps it: ~20-30 MB of RSS the process does not need (BENCHMARKS.md:
// a sender's peak RSS at 1,000,000 queued 170 -> 141 MB; `start` idle RSS 115 -> 90 MB). And in a
// sender what survives a scavenge or two (a message in flight) is promoted and dies soon after, so
// the old generation fills with garbage up to a limit V8 sets at 1.1-4x of the live heap after each
// full collection (the heap reached 52 MB, RSS 142-147 MB). Node takes heap sizes only as
// command-line flags, so Pressroom sets the V8 flags that still act at run time: `send`, `retry`,
// `start`, `serve` and `worker` stop the semi-spaces from growing (1 MB each, V8's initial size),
// and `send` and `retry --send` also let the old generation's limit grow by only 20% of the live
// heap after each full collection (RSS ~100 MB; BENCHMARKS.md "send", 2026-12-04). An operator who
// passes a flag of the same kind (`node --max-semi-space-size=...`, `--max-old-space-size=...`,
// NODE_OPTIONS) keeps their choice.
import { setFlagsFromString } from 'node:v8';

const SEMI_SPACE_FLAG = /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;
const OLD_SPACE_FLAG = /--(max|initial)[-_]old[-_]space[-_]size|--max[-_]heap[-_]size|--heap[-_]growing[-_]percent/;

/** The old generation's growth after a full collection, in percent of what survived it. */
export const OLD_GENERATION_GROWTH_PERCENT = 20;

function operatorChose(flag: RegExp, execArgv: readonly string[], nodeOptions: string): boolean {
  return execArgv.some((arg) => flag.test(arg)) || flag.test(nodeOptions);
}

/** True when the young generation was bounded; false when the operator chose a semi-space flag. */
export function boundYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (operatorChose(SEMI_SPACE_FLAG, execArgv, nodeOptions)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}

/** True when the old generation's growth was bounded; false when the operator chose an old-space or heap flag. */
export function boundOldGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (operatorChose(OLD_SPACE_FLAG, execArgv, nodeOptions)) return false;
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  return true;
}

/** Both bounds, for a process about to send (`send`, `retry --send`); first, before anything allocates. */
export function boundSendingHeap(): void {
  boundYoungGeneration();
  boundOldGeneration();
}
