// Which folder the email templates are read from. Its own module so the render cache can hash the
// folder without loading the template engine (liquidjs) into a sending process.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { bundledPath } from '../templates/root.js';
import { TemplateError } from './template-error.js';

/** The templates that ship with Pressroom (this repository's emails/ folder). */
export const BUNDLED_TEMPLATES_DIR = bundledPath('emails');

/** The real path of the templates folder `dir` (config email.templatesDir). */
export function resolveTemplatesDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    // No emails/ folder where the operator runs Pressroom and none configured: use the bundled
    // templates. A configured folder that does not exist is still an error (likely a typo).
    if (path.resolve(dir) === path.resolve(process.cwd(), 'emails')) return realpathSync(BUNDLED_TEMPLATES_DIR);
    throw new TemplateError(`${dir}: templates folder not found (config email.templatesDir)`);
  }
}
