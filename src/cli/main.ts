// Entry point of the `pressroom` command. Exit codes: 0 success, 1 content or delivery
// problems, 2 usage or configuration errors.
import { packageVersion } from '../templates/root.js';
import { Command, CommanderError } from 'commander';
import { UsageError } from './common.js';

type Register = (program: Command) => void;

// Only the group of the command being run is registered; `--help` and unknown commands register
// them all. Registering loads no library a command uses (MJML, fastify, nodemailer, a database
// driver): each command imports those when it runs (test/cli/lean-start.test.ts).
const commandGroups: Array<{ commands: string[]; load: () => Promise<Register> }> = [
  { commands: ['check', 'build'], load: async () => (await import('./content-commands.js')).registerContentCommands },
  { commands: ['preview'], load: async () => (await import('./preview.js')).registerPreviewCommands },
  { commands: ['send', 'status', 'retry'], load: async () => (await import('./delivery.js')).registerDeliveryCommands },
  { commands: ['pause', 'resume', 'cancel'], load: async () => (await import('./brakes.js')).registerBrakeCommands },
  { commands: ['subscribers'], load: async () => (await import('./subscribers.js')).registerSubscriberCommands },
  { commands: ['operators'], load: async () => (await import('./operators.js')).registerOperatorCommands },
  { commands: ['tokens'], load: async () => (await import('./operators.js')).registerTokenCommands },
  { commands: ['start', 'serve', 'worker'], load: async () => (await import('./service.js')).registerServiceCommands },
  { commands: ['inbound'], load: async () => (await import('./inbound.js')).registerInboundCommands },
];

const program = new Command('pressroom')
  .description('Markdown newsletter issues -> RSS, Atom, JSON Feed, a web archive and email')
  .option('-V, --version', 'print the version of pressroom')
  .on('option:version', () => {
    const version = packageVersion();
    process.stdout.write(`${version}\n`);
    throw new CommanderError(0, 'commander.version', version);
  })
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
  process.exitCode = await exitCodeFor(err);
}

async function exitCodeFor(err: unknown): Promise<number> {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  // Loaded on failure only: a command that failed on either has loaded it already.
  const [{ ConfigError }, { StoreError }] = await Promise.all([import('../config/config.js'), import('../storage/store.js')]);
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof StoreError) {
    console.error(`pressroom: ${err.message}`);
    return 2;
  }
  console.error(`pressroom: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
