// The thread that indexes the search parts a build needs (searchFilesInThread in index.ts): the
// parts' documents in, their JSON out, then the thread ends and its memory with it.
import { workerData } from 'node:worker_threads';
import { answerParent } from '../compiled-entry.js';
import { searchIndex, type IndexedIssue } from './part.js';

await answerParent(() => (workerData as IndexedIssue[][]).map(searchIndex));
