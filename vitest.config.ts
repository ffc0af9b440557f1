import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three tiers (CONTRIBUTING.md): `npm run test:unit`, `test:integration`, `test:e2e`; `npm test` runs all.
// A file's tier is what it needs, not its folder.

/** Pure code and temp files only: no SQLite, PostgreSQL, SMTP, Chromium, sockets, threads or child processes. */
const unit = [
  'test/accounts/password.test.ts',
  'test/archive/pages.test.ts',
  'test/build/bundles.test.ts',
  'test/config/config.test.ts',
  'test/config/env-docs.test.ts',
  'test/config/env.test.ts',
  'test/config/load-checks.test.ts',
  'test/config/scale-config.test.ts',
  'test/content/dates.test.ts',
  'test/content/limits.test.ts',
  'test/content/load.test.ts',
  'test/content/send-at.test.ts',
  'test/content/markdown.test.ts',
  'test/content/preflight.test.ts',
  'test/delivery/outcome.test.ts',
  'test/delivery/plan.test.ts',
  'test/delivery/progress.test.ts',
  'test/delivery/rate-limit.test.ts',
  'test/delivery/smtp-wire.test.ts',
  'test/domain/address.test.ts',
  'test/domain/campaign-pace.test.ts',
  'test/domain/campaign-state.test.ts',
  'test/domain/feedback.test.ts',
  'test/domain/publication.test.ts',
  'test/domain/smtp-errors.test.ts',
  'test/domain/recipient-rule.test.ts',
  'test/domain/subscriber-status.test.ts',
  'test/domain/topics.test.ts',
  'test/email/adapt-html.test.ts',
  'test/email/issue-email.test.ts',
  'test/email/system-email.test.ts',
  'test/email/token-pins.test.ts',
  'test/email/tokens.test.ts',
  'test/email/verp.test.ts',
  'test/feeds/dates.test.ts',
  'test/feeds/text.test.ts',
  'test/feeds/topics.test.ts',
  'test/i18n/catalogue.test.ts',
  'test/inbound/header-recipients.test.ts',
  'test/inbound/imap-url.test.ts',
  'test/server/accept-encoding.test.ts',
  'test/server/admin/session-policy.test.ts',
  'test/inbound/read.test.ts',
  'test/search/index.test.ts',
  'test/templates/html-context.test.ts',
  'test/webhooks/readers.test.ts',
  'test/webhooks/sns-signature.test.ts',
];

/** Spawned processes: the CLI (test/support/cli.ts), several processes on one store, whole journeys. */
const e2e = [
  'test/e2e/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/config/cli.test.ts',
  'test/build/cli-threads.test.ts',
  'test/build/incremental.test.ts',
  'test/delivery/brakes-cli.test.ts',
  'test/delivery/cli.test.ts',
  'test/delivery/cli-safety.test.ts',
  'test/delivery/kill.test.ts',
  'test/delivery/newcomers-cli.test.ts',
  'test/delivery/worker-id.test.ts',
  'test/delivery/young-generation.test.ts',
  'test/email/preview.test.ts',
  'test/feeds/hostile-text.test.ts',
  'test/feeds/websub.test.ts',
  'test/inbound/cli.test.ts',
  'test/scale/brakes-workers.test.ts',
  'test/inbound/imap-cli.test.ts',
  'test/scale/startup.test.ts',
  'test/scale/workers.test.ts',
  'test/server/hostile-bundle.test.ts',
  'test/server/trust-proxy-cli.test.ts',
  'test/storage/sqlite-processes.test.ts',
];

export default defineConfig({
  test: {
    // Compiles src/ to dist/ first: the CLI, loader threads and render child run the compiled code.
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files wait on sockets, child processes, Chromium and rate limits about half their time, so
    // one more file than there are cores keeps the cores busy (vitest's default, cores - 1, is one
    // file at a time on CI's two). VITEST_MAX_WORKERS=N overrides it (the --maxWorkers flag does not
    // reach the projects, which inherit this value).
    maxWorkers: availableParallelism() + 1,
    projects: [
      // Pure files leave no state behind (fake timers are restored), so they share their workers and
      // modules instead of loading them again for each file.
      { extends: true, test: { name: 'unit', include: unit, isolate: false } },
      // Real SQLite, PostgreSQL, SMTP servers on loopback, Chromium, feed validators, in this process.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...unit, ...e2e] } },
      { extends: true, test: { name: 'e2e', include: e2e } },
    ],
  },
});
