// The V8 young generation of long-running and sending processes, held at its initial size. Sending
// allocates fast and briefly (per message: the head, the envelope, promises), and loading the
// server's ~500 modules at `start` survives many scavenges; either way V8 grows the young generation
// to its default maximum (two 16 MB semi-spaces) and keeps it: ~20-30 MB of RSS the process does not
// need (BENCHMARKS.md: a sender's peak RSS at 1,000,000 queued 170 -> 141 MB; `start` idle RSS).
// Node takes heap limits only as command-line flags, so `send`, `retry`, `start`, `serve` and
// `worker` set the one V8 flag that still acts at run time: the semi-spaces stop growing (1 MB each,
// V8's initial size). An operator who passes a semi-space flag (`node --max-semi-space-size=...`,
// NODE_OPTIONS) keeps their choice.
import { setFlagsFromString } from 'node:v8';

const SEMI_SPACE_FLAG = /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/** True when the young generation was bounded; false when the operator chose a semi-space flag. */
export function boundYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (execArgv.some((arg) => SEMI_SPACE_FLAG.test(arg)) || SEMI_SPACE_FLAG.test(nodeOptions)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
