// Paths shared by the tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The corpus and tools beside the checkout; TEST_SHARED_DIR for a checkout elsewhere (a git worktree).
const sharedDir = process.env.TEST_SHARED_DIR ?? path.resolve(projectRoot, '../shared');
export const corpusDir = path.join(sharedDir, 'corpus/sofa-weekly');
export const validateFeedsTool = path.join(sharedDir, 'tools/validate-feeds');
export const fixturesDir = path.join(projectRoot, 'test/fixtures');
export const cliPath = path.join(projectRoot, 'bin/pressroom.js');
