// Splits an issue file into front matter and body. YAML (---), TOML (+++ or ---toml) and
// JSON ({ ... } or ---json) front matter. Executable front matter (---js, ---javascript) is
// refused: gray-matter 4 would eval it, and `engines: { js: false }` does not prevent that.
import matter from 'gray-matter';
import { parse as parseToml } from 'smol-toml';
import yaml from 'js-yaml';

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

export function splitFrontMatter(text: string): FrontMatter {
  if (text.startsWith('{')) return splitJsonObject(text);
  const delimiter = text.startsWith('+++') ? '+++' : text.startsWith('---') ? '---' : null;
  if (delimiter === null) {
    throw new FrontMatterError('no front matter (expected a --- block with title and date at the top of the file)', 1);
  }
  // gray-matter's typings want engines returning `object`; ours do, or throw.
  const options = { delimiters: delimiter, language: delimiter === '+++' ? 'toml' : 'yaml', engines };
  const parsed = matter(text, options as Parameters<typeof matter>[1]);
  if (parsed.matter === undefined || !text.includes(`\n${delimiter}`, delimiter.length)) {
    throw new FrontMatterError(`front matter is not closed (expected a line with ${delimiter})`, 1);
  }
  const data = parsed.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new FrontMatterError('front matter must be a mapping of fields (title: ..., date: ...)', 2);
  }
  const frontLines = parsed.matter.split('\n');
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
    } catch {
      continue; // a nested closing brace; keep looking
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) break;
    const frontLines = lines.slice(0, i + 1);
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

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
