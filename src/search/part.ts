// One part of the search index: its issues as MiniSearch documents -> the JSON the search page
// loads. Used by the build's thread and by the thread that indexes the parts (index-worker.ts).
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Options } from 'minisearch';
import { bundledPath } from '../templates/root.js';
import { miniSearchJson } from './writer.js';

/** One issue as the index sees it. */
export interface IndexedIssue {
  id: string;
  title: string;
  topics: string;
  text: string;
  /** Stored for the result list: the issue page's path from the site root, its date and summary. */
  url: string;
  date: string;
  summary: string;
}

export const SCRIPTS_DIR = bundledPath('templates', 'site', 'search');
const require = createRequire(import.meta.url);

let rules: { INDEX_OPTIONS: Options<IndexedIssue> } | undefined;
// options.js is an ES module outside src/, loaded synchronously (require of ESM, Node 20.19+).
const indexOptions = () => (rules ??= require(path.join(SCRIPTS_DIR, 'options.js')) as { INDEX_OPTIONS: Options<IndexedIssue> }).INDEX_OPTIONS;

/** One part of the index, as the JSON the search page loads. */
export function searchIndex(documents: readonly IndexedIssue[]): string {
  return miniSearchJson(indexOptions(), documents);
}
