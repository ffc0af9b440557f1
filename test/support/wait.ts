// The one polling helper: wait until a condition holds, with a deadline and a message that says
// what never happened (and the output of the process it was waiting on).
import type { CliProcess } from './cli.js';

export interface WaitOptions {
  /** What is awaited, for the error: "the worker started". */
  what?: string;
  timeout?: number;
  interval?: number;
  /** Appended to the error, e.g. the output of the process under test. */
  describe?: () => string;
  /** Fail at once when this process exits before the condition holds (its output goes into the error). */
  alive?: CliProcess;
  /** A check that throws (a server not listening yet) counts as "not yet" instead of failing. */
  ignoreErrors?: boolean;
}

/** Polls `check` until it returns a truthy value, and resolves with that value. */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<Exclude<T, false | null | undefined>> {
  const { what = 'a condition', timeout = 20_000, interval = 50, alive, ignoreErrors = false } = options;
  const attempt = ignoreErrors ? () => Promise.resolve(check()).catch(() => undefined) : check;
  const describe = options.describe ?? (alive ? alive.output : () => '');
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await attempt();
    if (value) return value as Exclude<T, false | null | undefined>;
    if (alive?.hasExited()) throw new Error(`the process exited (${alive.child.exitCode ?? alive.child.signalCode}) before ${what}:\n${describe()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
