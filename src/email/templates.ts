// Email templates: MJML files in the templates folder (default emails/), with Liquid for values.
//
// Order of work, and why:
//  1. Every template file reachable from the main one (through mj-include) is read and checked
//     first: includes must stay inside the templates folder, Liquid must parse, and only documented
//     variables may be used. Errors name the file and line of the file the operator edits.
//  2. MJML compiles the *unrendered* file (strict validation), so MJML's line numbers are the
//     operator's line numbers too. Liquid tags pass through MJML untouched: values sit in text and
//     attributes, and structural conditions are wrapped in <mj-raw>{% if x %}</mj-raw>.
//  3. Liquid renders the compiled HTML with output escaping on: every value is HTML-escaped
//     unless a template explicitly writes `| raw` (used for the issue body only).
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Liquid, type Template } from 'liquidjs';

import { TemplateError } from './template-error.js';
import { resolveTemplatesDir } from './templates-dir.js';

export { TemplateError };

export interface CompiledTemplate {
  /** The main template file (absolute path). */
  file: string;
  /** Renders the compiled HTML with the given values (escaped by default). */
  render(values: Record<string, unknown>): string;
}

/** The Liquid engine for HTML: every output escaped unless `| raw`; unknown names are errors. */
export function htmlLiquid(): Liquid {
  return new Liquid({ outputEscape: 'escape', strictVariables: true, strictFilters: true, lenientIf: true });
}

/** The Liquid engine for header values such as the subject pattern: no HTML escaping. */
export function plainLiquid(): Liquid {
  return new Liquid({ strictVariables: true, strictFilters: true, lenientIf: true });
}

const INCLUDE_RE = /<mj-include\b[^>]*?\bpath\s*=\s*("([^"]*)"|'([^']*)')[^>]*>/g;

/**
 * Compiles `<dir>/<name>.mjml`. `variables` lists the top-level names a template may use;
 * anything else is reported as an error before any message is built.
 */
export async function compileTemplate(dir: string, name: string, variables: readonly string[], perRecipient: readonly string[] = []): Promise<CompiledTemplate> {
  const root = resolveTemplatesDir(dir);
  const file = path.join(root, `${name}.mjml`);
  const display = (f: string) => path.relative(process.cwd(), f) || f;
  const liquid = htmlLiquid();
  const allowed = new Set(variables);

  // 1. Walk the include graph and check every file.
  const sources = new Map<string, string>();
  const visit = (current: string) => {
    if (sources.has(current)) return;
    const source = readTemplate(current, display);
    sources.set(current, source);
    checkLiquid(liquid, source, current, display, allowed);
    checkPerRecipient(source, current, display, perRecipient);
    for (const m of source.matchAll(INCLUDE_RE)) {
      const target = m[2] ?? m[3] ?? '';
      const line = lineAt(source, m.index);
      if (/\btype\s*=\s*["'](css|html)["']/.test(m[0])) {
        throw new TemplateError(`${display(current)}:${line}: mj-include of type css/html is not supported; include .mjml partials`);
      }
      const resolved = path.resolve(path.dirname(current), target);
      let real: string;
      try {
        real = realpathSync(resolved);
      } catch {
        throw new TemplateError(`${display(current)}:${line}: mj-include "${target}": file not found (${display(resolved)})`);
      }
      if (!isInside(root, real)) {
        throw new TemplateError(`${display(current)}:${line}: mj-include "${target}" points outside the templates folder ${display(root)}; refused`);
      }
      visit(real);
    }
  };
  visit(file);

  // 2. MJML, strict. Includes are enabled but confined to the templates folder.
  let html: string;
  // Imported on first use: MJML is ~60 MB and ~0.5 s, and `pressroom start` may never render an email.
  const { default: mjml2html } = await import('mjml');
  try {
    const result = await mjml2html(sources.get(file)!, {
      filePath: file,
      actualPath: file,
      validationLevel: 'strict',
      ignoreIncludes: false,
      includePath: root,
      keepComments: false,
      fonts: {}, // no external CSS or web fonts
    });
    // MJML indents its output generously; every subscriber's copy carries those bytes, so drop
    // indentation and blank lines (HTML collapses that whitespace anyway; templates keep <pre>
    // out of the skeleton - the issue body, inserted later, is not touched).
    html = result.html.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');
  } catch (err) {
    throw new TemplateError(formatMjmlError(err, file, display));
  }
  if (html.includes('<!-- mj-include denied -->') || html.includes('<!-- mj-include fails')) {
    // Defence in depth: step 1 should already have refused this.
    throw new TemplateError(`${display(file)}: an mj-include was refused or could not be read by MJML`);
  }

  // 3. Liquid over the compiled HTML (parse once, render per issue).
  let compiled: Template[];
  try {
    compiled = liquid.parse(html, file);
  } catch (err) {
    throw new TemplateError(`${display(file)}: Liquid in compiled output: ${(err as Error).message}`);
  }
  return {
    file,
    render(values) {
      try {
        return liquid.renderSync(compiled, values) as string;
      } catch (err) {
        throw new TemplateError(`${display(file)}: ${(err as Error).message}`);
      }
    },
  };
}

function readTemplate(file: string, display: (f: string) => string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new TemplateError(`${display(file)}: template not found`);
  }
}

function checkLiquid(liquid: Liquid, source: string, file: string, display: (f: string) => string, allowed: Set<string>): void {
  let parsed: Template[];
  try {
    parsed = liquid.parse(source, file);
  } catch (err) {
    throw new TemplateError(`${display(file)}: ${(err as Error).message.replace(`file:${file}, `, '')}`);
  }
  for (const name of liquid.globalVariablesSync(parsed)) {
    if (!allowed.has(name)) {
      const idx = source.search(new RegExp(`\\b${name.replace(/[^\w]/g, '\\$&')}\\b`));
      const where = idx >= 0 ? `:${lineAt(source, idx)}` : '';
      throw new TemplateError(`${display(file)}${where}: unknown template variable "${name}" (available: ${[...allowed].sort().join(', ')})`);
    }
  }
}

/**
 * Per-subscriber values are filled in after rendering (that is what makes a recipient cheap), so
 * a template may print them but not test or transform them: `{% if name %}` or `{{ name | upcase }}`
 * would silently see a placeholder. Refuse both with a clear message.
 */
function checkPerRecipient(source: string, file: string, display: (f: string) => string, names: readonly string[]): void {
  if (names.length === 0) return;
  const alt = names.join('|');
  const inTag = new RegExp(`\\{%-?[^%]*?\\b(${alt})\\b[^%]*?-?%\\}`, 'g');
  const filtered = new RegExp(`\\{\\{-?\\s*(${alt})\\s*\\|`, 'g');
  for (const re of [inTag, filtered]) {
    for (const m of source.matchAll(re)) {
      // `{% comment %}` bodies and names inside string literals are rare enough to not special-case.
      throw new TemplateError(
        `${display(file)}:${lineAt(source, m.index)}: per-subscriber variable "${m[1]}" can only be printed as {{ ${m[1]} }} ` +
          '(it is filled in per recipient after rendering; no filters or conditions)',
      );
    }
  }
}

function formatMjmlError(err: unknown, file: string, display: (f: string) => string): string {
  const errors = (err as { errors?: Array<{ line?: number; message?: string; formattedMessage?: string }> }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((e) => {
        // formattedMessage: "Line 3 of /abs/partials/x.mjml, included at line 3 of file /abs/issue.mjml (mj-foo) — ..."
        const m = /^Line (\d+) of (.+?)(?:, included at line \d+ of file .+?)? \(/.exec(e.formattedMessage ?? '');
        const where = m ? `${display(m[2]!)}:${m[1]}` : `${display(file)}:${e.line ?? '?'}`;
        return `${where}: MJML: ${e.message ?? e.formattedMessage}`;
      })
      .join('; ');
  }
  return `${display(file)}: MJML: ${(err as Error).message}`;
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
