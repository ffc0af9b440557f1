// One small stylesheet, written to style.css, and the favicon: templates/archive/style.css (readable measure,
// system fonts with CJK fallbacks, images and tables that never push the page wider than the screen).
import { readFileSync } from 'node:fs';
import { bundledPath } from '../templates/root.js';

export const STYLESHEET = readFileSync(bundledPath('templates', 'site', 'style.css'), 'utf8');

/** favicon.svg: the site's icon (a folded newspaper), in the accent colour; light and dark tabs alike. */
export const FAVICON = readFileSync(bundledPath('templates', 'site', 'favicon.svg'), 'utf8');
