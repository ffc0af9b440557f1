#!/usr/bin/env node
// Runs the compiled JavaScript in dist/, which `npm ci` (the `prepare` script) builds from src/.
try {
  await import('../dist/cli/main.js');
} catch (err) {
  const main = new URL('../dist/cli/main.js', import.meta.url);
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(main.pathname)) throw err;
  console.error('pressroom: dist/ is not built: run `npm run build` (or `npm ci`) in the pressroom folder');
  process.exitCode = 2;
}
