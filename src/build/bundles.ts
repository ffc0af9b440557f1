// Hugo-style bundles (`issues/<name>/index.md` with images beside it): the loader resolves
// bundle-relative paths (`![](diagram.png)`, `cover: cover.jpg`) against the issue's own URL,
// `${site.url}issues/<slug>/diagram.png`, so the build copies the bundle's other files into
// `issues/<slug>/` for those URLs to work. Only media files are copied (the allow-list in
// feeds/media.ts: images, audio, video, PDF, plain text, CSV): anything else, such as HTML or
// JavaScript, would run on the site's origin, beside the subscribe form. Such files are reported
// as skipped; Markdown files and dotfiles are not copied either, silently (they are the issue
// and editor or system files, not resources).
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { MEDIA_EXTENSIONS, mediaTypeOf } from '../feeds/media.js';

export interface BundleFiles {
  /** Relative output path -> source file, for every file to publish. */
  publish: Map<string, string>;
  /** One line per file left out, naming it (display path) and what is published instead. */
  skipped: string[];
}

/** The files of the given issues' bundles, split into published and skipped. */
export async function bundleFiles(config: Config, issues: Issue[]): Promise<BundleFiles> {
  const publish = new Map<string, string>();
  const skipped: string[] = [];
  for (const issue of issues) {
    const source = sourceFile(config, issue.sourcePath);
    if (!source || path.basename(source) !== 'index.md') continue;
    const dir = path.dirname(source);
    if (path.resolve(dir) === path.resolve(config.issuesDir)) continue; // issues/index.md is no bundle
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      if (rel.split('/').some((part) => part.startsWith('.'))) continue;
      if (rel.endsWith('.md')) continue;
      if (mediaTypeOf(rel) === undefined) {
        skipped.push(skippedLine(path.join(path.dirname(issue.sourcePath), rel)));
        continue;
      }
      publish.set(`issues/${issue.slug}/${rel}`, full);
    }
  }
  skipped.sort();
  return { publish, skipped };
}

/** Relative output path -> bytes, for every published bundle file of the given issues. */
export async function bundleResources(config: Config, issues: Issue[]): Promise<{ resources: Map<string, Buffer>; skipped: string[] }> {
  const { publish, skipped } = await bundleFiles(config, issues);
  const resources = new Map<string, Buffer>();
  for (const [name, file] of publish) resources.set(name, await readFile(file));
  return { resources, skipped };
}

function skippedLine(displayPath: string): string {
  return `${displayPath.split(path.sep).join('/')}: not published: bundle files must be media (${MEDIA_EXTENSIONS.join(', ')})`;
}

// Issue.sourcePath is documented as relative to the issues folder; the loader currently gives
// a path relative to the working directory (or absolute). Accept all three.
function sourceFile(config: Config, sourcePath: string): string | undefined {
  const candidates = path.isAbsolute(sourcePath) ? [sourcePath] : [path.resolve(config.issuesDir, sourcePath), path.resolve(sourcePath)];
  return candidates.find((file) => existsSync(file));
}
