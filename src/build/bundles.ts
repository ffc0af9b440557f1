// Hugo-style bundles (`issues/<name>/index.md` with images beside it): the loader resolves
// bundle-relative paths (`![](diagram.png)`, `cover: cover.jpg`) against the issue's own URL,
// `${site.url}issues/<slug>/diagram.png`, so the build copies the bundle's other files into
// `issues/<slug>/` for those URLs to work. Markdown files, dotfiles and a file named
// index.html (which would replace the issue page) are not copied.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';

/** Relative output path -> bytes, for every bundle resource of the given issues. */
export async function bundleResources(config: Config, issues: Issue[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
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
      if (rel.endsWith('.md') || rel === 'index.html') continue;
      out.set(`issues/${issue.slug}/${rel}`, await readFile(full));
    }
  }
  return out;
}

// Issue.sourcePath is documented as relative to the issues folder; the loader currently gives
// a path relative to the working directory (or absolute). Accept all three.
function sourceFile(config: Config, sourcePath: string): string | undefined {
  const candidates = path.isAbsolute(sourcePath)
    ? [sourcePath]
    : [path.resolve(config.issuesDir, sourcePath), path.resolve(sourcePath)];
  return candidates.find((file) => existsSync(file));
}
