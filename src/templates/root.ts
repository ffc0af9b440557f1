// Where the files that ship with Pressroom live: found from the package root (the folder with
// Pressroom's package.json), so the same code works from src/ under tsx and from a compiled dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The folder holding Pressroom's own package.json. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pressroom') return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`package.json of pressroom not found above ${import.meta.dirname}`);
  }
}

/** Pressroom's version, from its package.json (read when asked for). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A folder or file shipped beside package.json, e.g. bundledPath('templates', 'site'). */
export function bundledPath(...parts: string[]): string {
  return path.join(packageRoot(), ...parts);
}
