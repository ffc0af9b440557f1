// One small stylesheet, written to style.css: templates/archive/style.css (readable measure,
// system fonts with CJK fallbacks, images and tables that never push the page wider than the screen).
import { readFileSync } from 'node:fs';
import { bundledPath } from '../templates/root.js';

export const STYLESHEET = readFileSync(bundledPath('templates', 'archive', 'style.css'), 'utf8');
