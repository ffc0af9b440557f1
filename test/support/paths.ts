// Paths shared by the tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusDir = path.resolve(projectRoot, '../shared/corpus/sofa-weekly');
export const validateFeedsTool = path.resolve(projectRoot, '../shared/tools/validate-feeds');
export const fixturesDir = path.join(projectRoot, 'test/fixtures');
export const cliPath = path.join(projectRoot, 'bin/pressroom.js');
