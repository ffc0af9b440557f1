// The README's configuration table and the configuration itself cannot drift: every environment
// variable of the table in src/config/env.ts is documented beside the setting it sets, every
// setting of pressroom.config.json is documented, and simple defaults agree with the schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { defaultConfig } from '../../src/config/config.js';
import { ENV_VARIABLES } from '../../src/config/env.js';
import { fileSchema, PATH_SETTINGS, SECTIONS, settingSchema } from '../../src/config/schema.js';
import { projectRoot } from '../support/paths.js';

interface Row {
  settings: string[];
  variables: string[];
  defaults: string[];
}

const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

function configurationTable(): Row[] {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8').split('\n');
  const start = readme.indexOf('| setting | environment | default | meaning |');
  expect(start, 'the configuration table in README.md').toBeGreaterThan(0);
  const rows: Row[] = [];
  for (const line of readme.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [setting = '', environment = '', defaults = ''] = line.split('|').slice(1);
    rows.push({
      // "`smtpUrl` query options" documents the URL's options, not a setting of its own.
      settings: /query options/.test(setting) ? [] : ticked(setting),
      variables: ticked(environment).filter((t) => /^[A-Z][A-Z0-9_]+$/.test(t)),
      defaults: ticked(defaults),
    });
  }
  return rows;
}

/** Every key pressroom.config.json accepts: top-level settings and the keys of each section. */
function fileSettings(): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(fileSchema.shape)) {
    if ((SECTIONS as readonly string[]).includes(key)) keys.push(...Object.keys((settingSchema(key) as z.ZodObject).shape).map((k) => `${key}.${k}`));
    else keys.push(key);
  }
  return keys;
}

describe('README configuration table', () => {
  const rows = configurationTable();

  it('lists exactly the environment variables of the table, each beside the setting it sets', () => {
    expect(rows.flatMap((r) => r.variables).sort()).toEqual(ENV_VARIABLES.map((v) => v.name).sort());
    const files = new Set(fileSettings());
    for (const variable of ENV_VARIABLES) {
      const row = rows.find((r) => r.variables.includes(variable.name))!;
      // A setting of the file sits in the same row; a process setting (host, log level, ...) has none.
      expect(row.settings, variable.name).toEqual(files.has(variable.path) ? [variable.path] : []);
    }
  });

  it('documents every setting of pressroom.config.json, and only those', () => {
    expect(rows.flatMap((r) => r.settings).sort()).toEqual(fileSettings().sort());
  });

  it("gives the schema's default for each setting with a simple one", () => {
    const defaults = defaultConfig('/');
    let compared = 0;
    for (const row of rows) {
      if (row.settings.length !== 1 || row.defaults.length !== 1) continue;
      const setting = row.settings[0]!;
      if (setting === 'site.url' || (PATH_SETTINGS as readonly string[]).includes(setting)) continue; // derived / relative
      const value = setting.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], defaults);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
      expect(row.defaults[0], setting).toBe(String(value));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});
