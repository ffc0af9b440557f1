// Entry point of the `pressroom` command. Exit codes: 0 success, 1 content or delivery
// problems, 2 usage or configuration errors.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { StoreError } from '../storage/store.js';
import { UsageError } from './common.js';

type Register = (program: Command) => void;

// Each group's module pulls in heavy libraries (MJML, fastify, nodemailer, pg), so only the
// group of the command being run is loaded; `--help` and unknown commands load them all.
const commandGroups: Array<{ commands: string[]; load: () => Promise<Register> }> = [
  { commands: ['check', 'build'], load: async () => (await import('./content-commands.js')).registerContentCommands },
  { commands: ['preview'], load: async () => (await import('./preview.js')).registerPreviewCommands },
  { commands: ['send', 'status', 'retry'], load: async () => (await import('./delivery.js')).registerDeliveryCommands },
  { commands: ['subscribers'], load: async () => (await import('./subscribers.js')).registerSubscriberCommands },
  { commands: ['start', 'serve', 'worker'], load: async () => (await import('./service.js')).registerServiceCommands },
];

const program = new Command('pressroom')
  .description('Markdown newsletter issues -> RSS, Atom, JSON Feed, a web archive and email')
  .showHelpAfterError()
  .exitOverride();

// `pressroom preview ... | head -1`: a reader that stops reading is not an error (like other Unix tools).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  const requested = process.argv[2];
  const matching = commandGroups.filter((group) => requested !== undefined && group.commands.includes(requested));
  for (const group of matching.length > 0 ? matching : commandGroups) (await group.load())(program);
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof StoreError) {
    console.error(`pressroom: ${err.message}`);
    return 2;
  }
  console.error(`pressroom: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
