// The sending process's V8 young generation, held at its initial size. Sending allocates fast and
// briefly (per message: the head, the envelope, promises), so V8 grows the young generation to its
// default maximum (two 16 MB semi-spaces) and keeps it: ~30 MB of RSS that a sender does not need
// (BENCHMARKS.md, send: peak RSS 170 -> 141 MB at 1,000,000 queued, throughput within the noise).
// Node takes heap limits only as command-line flags, so `pressroom send` sets the one V8 flag that
// still acts at run time: the semi-spaces stop growing (1 MB each, V8's initial size). An operator
// who passes a semi-space flag (`node --max-semi-space-size=...`, NODE_OPTIONS) keeps their choice.
import { setFlagsFromString } from 'node:v8';

const SEMI_SPACE_FLAG = /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/** True when the young generation was bounded; false when the operator chose a semi-space flag. */
export function boundYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (execArgv.some((arg) => SEMI_SPACE_FLAG.test(arg)) || SEMI_SPACE_FLAG.test(nodeOptions)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
