// The sender's young generation stays at V8's initial size (src/delivery/young-generation.ts),
// unless the operator chose a semi-space flag. Measured in a real Node process running the compiled module.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundYoungGeneration } from '../../src/delivery/young-generation.js';
import { projectRoot } from '../support/paths.js';

const probe = `
const { boundYoungGeneration } = await import(${JSON.stringify(path.join(projectRoot, 'dist/delivery/young-generation.js'))});
const v8 = await import('node:v8');
const bounded = process.argv[1] === 'bound' ? boundYoungGeneration() : null;
let keep = [];
for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5000) keep = []; }
const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
console.log(JSON.stringify({ bounded, newSpaceMb: newSpace / 1048576 }));
`;

function newSpaceAfterAllocating(mode: 'bound' | 'default', nodeArgs: string[] = []): { bounded: boolean | null; newSpaceMb: number } {
  const r = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', probe, mode], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { bounded: boolean | null; newSpaceMb: number };
}

describe('boundYoungGeneration', () => {
  it('keeps the semi-spaces at their initial size while a process allocates fast; without it they grow', () => {
    const bounded = newSpaceAfterAllocating('bound');
    const grown = newSpaceAfterAllocating('default');
    expect(bounded.bounded).toBe(true);
    // Bounded, V8 keeps 2 MB of new space (Node 20 and 24) and on a loaded machine once went to
    // 4 MB; unbounded it grows to 32 MB. The bound is what is asserted, not V8's exact heuristics.
    expect(bounded.newSpaceMb).toBeLessThanOrEqual(8);
    expect(grown.newSpaceMb).toBeGreaterThanOrEqual(4 * bounded.newSpaceMb);
  });

  it("leaves an operator's semi-space flag alone (command line or NODE_OPTIONS)", () => {
    expect(newSpaceAfterAllocating('bound', ['--max-semi-space-size=8']).bounded).toBe(false);
    expect(boundYoungGeneration(['--max-semi-space-size=4'], '')).toBe(false);
    expect(boundYoungGeneration([], '--max-old-space-size=200 --min_semi_space_size=2')).toBe(false);
  });
});
