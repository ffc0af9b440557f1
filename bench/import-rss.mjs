// Preloaded by bench/import.ts into the CLI child (node --import ./bench/import-rss.mjs ...): prints
// the process's peak resident memory on exit, so the bench can show that import memory stays flat.
process.on('exit', () => {
  process.stderr.write(`peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
