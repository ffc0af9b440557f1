// The JSON of a MiniSearch index, written without MiniSearch's `add`: on CJK text its radix tree
// finds a node's child by scanning every key (the root holds one per distinct first character,
// thousands here), which made indexing 1,000 issues cost ~3 s of CPU. This writer builds the
// same tree, with the same insertions, splits and Map orders, but finds a child through an index
// of the node's keys by first character (in a radix tree at most one key starts with each), so
// its JSON is byte-for-byte what `JSON.stringify(miniSearch)` gives (test/search/writer.test.ts
// checks it against MiniSearch itself) and MiniSearch.loadJSON reads it in the browser as ever.
// It follows MiniSearch 7's `add`, `addFieldLength`, `saveStoredFields`, `toJSON` and tree
// iteration; the search cache key names MiniSearch's version, so a new version starts cold.
import type { Options } from 'minisearch';

/** MiniSearch's key for a node's value (its LEAF). */
const LEAF = '';

/**
 * A term's postings, flat: docId, fieldId, count, docId, fieldId, count ... in the order they were
 * found, which is by docId, then fieldId (documents are added in turn, each field's tokens in
 * turn). MiniSearch keeps `{ fieldId: { docId: count } }` objects; one array of small integers
 * per term holds the same and is written out as that JSON (postingsJson), with a fraction of the
 * objects to allocate and collect.
 */
type Postings = number[];

/** A radix tree node as MiniSearch keeps it (child keys and LEAF, in insertion order), plus its keys by first code unit. */
class RadixNode extends Map<string, RadixNode | Postings> {
  readonly byFirst = new Map<string, string>();
}

/** MiniSearch's createPath: the node for `key`, made (splitting an edge where needed) if absent. */
function createPath(root: RadixNode, key: string): RadixNode {
  let node = root;
  let pos = 0;
  while (pos < key.length) {
    const k = node.byFirst.get(key[pos]!);
    if (k === undefined) {
      const child = new RadixNode();
      const rest = key.slice(pos);
      node.set(rest, child);
      node.byFirst.set(rest[0]!, rest);
      return child;
    }
    const len = Math.min(key.length - pos, k.length);
    let offset = 1;
    while (offset < len && key[pos + offset] === k[offset]) ++offset;
    const child = node.get(k) as RadixNode;
    if (offset === k.length) {
      node = child;
    } else {
      const intermediate = new RadixNode();
      const tail = k.slice(offset);
      intermediate.set(tail, child);
      intermediate.byFirst.set(tail[0]!, tail);
      const head = key.slice(pos, pos + offset);
      node.set(head, intermediate);
      node.delete(k);
      node.byFirst.set(head[0]!, head);
      node = intermediate;
    }
    pos += offset;
  }
  return node;
}

/** MiniSearch's tree iteration: depth first, each node's keys from the last inserted to the first. */
function collectTerms(node: RadixNode, prefix: string, into: Array<[string, Postings]>): void {
  const keys = [...node.keys()];
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!;
    const value = node.get(k)!;
    if (k === LEAF) into.push([prefix, value as Postings]);
    else collectTerms(value as RadixNode, prefix + k, into);
  }
}

/**
 * `JSON.stringify` of a MiniSearch built with `options` (fields, storeFields, tokenize,
 * processTerm; the default id field `id`) and `addAll(documents)`.
 */
export function miniSearchJson<T extends { id: string }>(options: Options<T>, documents: readonly T[]): string {
  const fields = options.fields;
  const storeFields = options.storeFields ?? [];
  const tokenize = options.tokenize!;
  const processTerm = options.processTerm!;
  const fieldIds: Record<string, number> = {};
  fields.forEach((field, i) => {
    fieldIds[field] = i;
  });
  const documentIds: Record<number, string> = {};
  const fieldLength: Record<number, number[]> = {};
  const averageFieldLength: number[] = [];
  const storedFields: Record<number, Record<string, unknown>> = {};
  const seen = new Set<string>();
  // MiniSearch walks its tree for every occurrence of a term, but only a term's first occurrence
  // changes the tree (a path that exists ends on node boundaries: nothing to split). So the
  // postings are gathered by term in a Map, and each term goes into the tree once, in the order of
  // first occurrence: the same tree, the same Map orders (posting keys are integers, which
  // objects keep in ascending order whatever the insertion order).
  const terms = new Map<string, Postings>();
  const addTerm = (fieldId: number, docId: number, term: string) => {
    let postings = terms.get(term);
    if (postings === undefined) terms.set(term, (postings = []));
    const n = postings.length;
    // A field's tokens are added together, so a repeat in the same document and field is the last entry.
    if (n > 0 && postings[n - 3] === docId && postings[n - 2] === fieldId) postings[n - 1]!++;
    else postings.push(docId, fieldId, 1);
  };
  documents.forEach((document, docId) => {
    const record = document as unknown as Record<string, unknown>;
    if (record.id == null) throw new Error('MiniSearch: document does not have ID field "id"');
    if (seen.has(document.id)) throw new Error(`MiniSearch: duplicate ID ${document.id}`);
    seen.add(document.id);
    documentIds[docId] = document.id;
    if (storeFields.length > 0) {
      const stored: Record<string, unknown> = {};
      for (const name of storeFields) if (record[name] !== undefined) stored[name] = record[name];
      storedFields[docId] = stored;
    }
    for (const field of fields) {
      const value = record[field];
      if (value == null) continue;
      const tokens = tokenize(String(value), field);
      const fieldId = fieldIds[field]!;
      const lengths = (fieldLength[docId] ??= []);
      lengths[fieldId] = new Set(tokens).size;
      averageFieldLength[fieldId] = ((averageFieldLength[fieldId] || 0) * docId + lengths[fieldId]) / (docId + 1);
      for (const token of tokens) {
        const term = processTerm(token, field);
        if (Array.isArray(term)) for (const t of term) addTerm(fieldId, docId, t);
        else if (term) addTerm(fieldId, docId, term);
      }
    }
  });
  const root = new RadixNode();
  for (const [term, postings] of terms) createPath(root, term).set(LEAF, postings);
  const index: Array<[string, Postings]> = [];
  collectTerms(root, '', index);
  // JSON.stringify's output for MiniSearch's object, its keys in the same order; only the index is
  // written by hand, from the flat postings.
  const head = JSON.stringify({
    documentCount: documents.length,
    nextId: documents.length,
    documentIds,
    fieldIds,
    fieldLength,
    averageFieldLength,
    storedFields,
    dirtCount: 0,
  });
  const entries = index.map(([term, postings]) => `[${JSON.stringify(term)},${postingsJson(postings, fields.length)}]`);
  return `${head.slice(0, -1)},"index":[${entries.join(',')}],"serializationVersion":2}`;
}

/** MiniSearch's JSON of one term's postings: `{"fieldId":{"docId":count,...},...}`, integer keys ascending, as objects order them. */
function postingsJson(postings: Postings, fieldCount: number): string {
  let json = '';
  for (let field = 0; field < fieldCount; field++) {
    let docs = '';
    for (let i = 0; i < postings.length; i += 3) {
      if (postings[i + 1] === field) docs += `${docs === '' ? '' : ','}"${postings[i]}":${postings[i + 2]}`;
    }
    if (docs !== '') json += `${json === '' ? '' : ','}"${field}":{${docs}}`;
  }
  return `{${json}}`;
}
