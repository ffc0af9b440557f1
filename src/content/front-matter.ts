// Splits an issue file into front matter and body. YAML (---), TOML (+++ or ---toml) and
// JSON ({ ... } or ---json) front matter. Executable front matter (---js, ---javascript) is
// refused: gray-matter 4 would eval it, and `engines: { js: false }` does not prevent that.
import matter from 'gray-matter';
import { parse as parseToml } from 'smol-toml';
import yaml from 'js-yaml';
import { MAX_FRONT_MATTER_CHARS, MAX_FRONT_MATTER_DEPTH, MAX_FRONT_MATTER_VALUES } from './limits.js';

export interface FrontMatter {
  data: Record<string, unknown>;
  body: string;
  /** 1-based line of the file where the body starts. */
  bodyLine: number;
  /** 1-based line where a top-level key is set, when it can be found. */
  lineOf(key: string): number | undefined;
}

/** A front matter problem with the 1-based line it concerns. */
export class FrontMatterError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

const refuseCode = (): never => {
  throw new FrontMatterError('executable front matter (js/javascript) is not allowed; use YAML, TOML or JSON', 1);
};

// YAML's core schema keeps timestamps as text, so the author's UTC offset survives.
// js-yaml, like Hugo's parser, accepts the multi-line quoted strings real issues contain.
function parseYaml(text: string): object {
  try {
    return (yaml.load(text, { schema: yaml.CORE_SCHEMA }) ?? {}) as object;
  } catch (err) {
    if (isStackOverflow(err)) throw new FrontMatterError(TOO_DEEP, 1);
    const mark = (err as { mark?: { line?: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    // mark.line is 0-based within the front matter; the opening fence is line 1 of the file.
    throw new FrontMatterError(`front matter is not valid YAML: ${firstLine(reason)}`, mark?.line === undefined ? undefined : mark.line + 1);
  }
}

function parseTomlText(text: string): object {
  try {
    return parseToml(text);
  } catch (err) {
    const line = (err as { line?: number }).line;
    throw new FrontMatterError(`front matter is not valid TOML: ${firstLine((err as Error).message)}`, line === undefined ? undefined : line + 1);
  }
}

function parseJsonText(text: string): object {
  try {
    return JSON.parse(text) as object;
  } catch (err) {
    if (isStackOverflow(err)) throw new FrontMatterError(TOO_DEEP, 1);
    throw new FrontMatterError(`front matter is not valid JSON: ${firstLine((err as Error).message)}`);
  }
}

const engines = {
  yaml: parseYaml,
  toml: parseTomlText,
  json: parseJsonText,
  js: refuseCode,
  javascript: refuseCode,
};

/** The languages a fence may name (`---toml`), case-insensitive. */
const LANGUAGES = new Map<string, keyof typeof engines>([
  ['yaml', 'yaml'],
  ['yml', 'yaml'],
  ['toml', 'toml'],
  ['json', 'json'],
  ['js', 'js'],
  ['javascript', 'javascript'],
]);

/**
 * Parsers share repeated values (YAML aliases) instead of copying them, so a few hundred bytes
 * can stand for billions of values once anything walks or serializes them. Walks each field as
 * a tree, counting every visit, and stops at the first limit, naming that field.
 */
function checkExpandedSize(data: Record<string, unknown>, lineOf: (key: string) => number | undefined): void {
  let values = 0;
  let chars = 0;
  for (const [field, value] of Object.entries(data)) {
    const fail = (message: string): never => {
      throw new FrontMatterError(message, lineOf(field), field);
    };
    // Counted when queued, so the queue itself never outgrows the limit.
    const count = (n: number, text: number) => {
      values += n;
      chars += text;
      if (values > MAX_FRONT_MATTER_VALUES)
        fail(`the front matter holds more than ${MAX_FRONT_MATTER_VALUES} values (list items, fields and text, each use of a YAML alias counted)`);
      if (chars > MAX_FRONT_MATTER_CHARS) fail(`the front matter holds more than ${MAX_FRONT_MATTER_CHARS} characters of text (each use of a YAML alias counted)`);
    };
    const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
    count(1, field.length);
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (typeof next.value === 'string') count(0, next.value.length);
      if (next.value === null || typeof next.value !== 'object' || next.value instanceof Date) continue;
      if (next.depth >= MAX_FRONT_MATTER_DEPTH) fail(TOO_DEEP);
      const keys = Array.isArray(next.value) ? null : Object.keys(next.value);
      const items = next.value as unknown[] & Record<string, unknown>;
      count(keys === null ? items.length : keys.length, 0);
      if (keys === null) for (const item of items) pending.push({ value: item, depth: next.depth + 1 });
      else {
        for (const key of keys) {
          count(0, key.length);
          pending.push({ value: items[key], depth: next.depth + 1 });
        }
      }
    }
  }
}

const TOO_DEEP = `the front matter nests lists and mappings more than ${MAX_FRONT_MATTER_DEPTH} levels deep`;

/** A parser recursed out of the stack (deep nesting): the file's problem, not a crash. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

export function splitFrontMatter(text: string): FrontMatter {
  if (text.startsWith('{')) return splitJsonObject(text);
  const delimiter = text.startsWith('+++') ? '+++' : text.startsWith('---') ? '---' : null;
  if (delimiter === null) {
    throw new FrontMatterError('no front matter (expected a --- block with title and date at the top of the file)', 1);
  }
  const written = text.slice(delimiter.length, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')).trim();
  const language = written === '' ? (delimiter === '+++' ? 'toml' : 'yaml') : LANGUAGES.get(written.toLowerCase());
  if (language === undefined) {
    const shown = written.length > 20 ? `${written.slice(0, 17)}...` : written;
    throw new FrontMatterError(`front matter language ${JSON.stringify(shown)} is not supported; use YAML (---), TOML (+++) or JSON`, 1);
  }
  // gray-matter looks the engine up by the name as written after the fence (and knows
  // languages of its own), so the one engine we chose is registered under that exact name.
  // Its typings want engines returning `object`; ours do, or throw.
  const options = { delimiters: delimiter, language, engines: { ...engines, [written || language]: engines[language] } };
  const parsed = matter(text, options as Parameters<typeof matter>[1]);
  if (parsed.matter === undefined || !text.includes(`\n${delimiter}`, delimiter.length)) {
    throw new FrontMatterError(`front matter is not closed (expected a line with ${delimiter})`, 1);
  }
  const data = parsed.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new FrontMatterError('front matter must be a mapping of fields (title: ..., date: ...)', 2);
  }
  const frontLines = parsed.matter.split('\n');
  checkExpandedSize(data as Record<string, unknown>, (key) => findKeyLine(frontLines, key, 0));
  // gray-matter keeps the rest of the opening fence line as frontLines[0], so frontLines[i] is
  // line i + 1 of the file; the closing fence follows, then the body.
  const bodyLine = frontLines.length + 2;
  return {
    data: data as Record<string, unknown>,
    body: parsed.content,
    bodyLine,
    lineOf: (key) => findKeyLine(frontLines, key, 0),
  };
}

/** Hugo's JSON front matter: a JSON object at the top of the file, then the body. */
function splitJsonObject(text: string): FrontMatter {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trimEnd() !== '}') continue;
    const jsonText = lines.slice(0, i + 1).join('\n');
    let data: unknown;
    try {
      data = JSON.parse(jsonText);
    } catch (err) {
      if (isStackOverflow(err)) throw new FrontMatterError(TOO_DEEP, 1);
      continue; // a nested closing brace; keep looking
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) break;
    const frontLines = lines.slice(0, i + 1);
    checkExpandedSize(data as Record<string, unknown>, (key) => findKeyLine(frontLines, key, 0));
    return {
      data: data as Record<string, unknown>,
      body: lines.slice(i + 1).join('\n'),
      bodyLine: i + 2,
      lineOf: (key) => findKeyLine(frontLines, key, 0),
    };
  }
  throw new FrontMatterError('front matter is not valid JSON (expected a {...} object closed by a line with })', 1);
}

function findKeyLine(lines: string[], key: string, offset: number): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*["']?${escaped}["']?\\s*[:=]`);
  const index = lines.findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 1 + offset;
}

export function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
