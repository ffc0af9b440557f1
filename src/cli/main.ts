// Entry point of the `pressroom` command. Exit codes: 0 success, 1 content or delivery
// problems, 2 usage or configuration errors.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { UsageError } from './common.js';
import { registerContentCommands } from './content-commands.js';
import { registerPreviewCommands } from './preview.js';
import { registerServiceCommands } from './service.js';
import { registerSubscriberCommands } from './subscribers.js';
import { registerDeliveryCommands } from './delivery.js';

const program = new Command('pressroom')
  .description('Markdown newsletter issues -> RSS, Atom, JSON Feed, a web archive and email')
  .showHelpAfterError()
  .exitOverride();

registerContentCommands(program);
registerPreviewCommands(program);
registerServiceCommands(program);
registerSubscriberCommands(program);
registerDeliveryCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError || err instanceof ConfigError) {
    console.error(`pressroom: ${err.message}`);
    return 2;
  }
  console.error(`pressroom: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return 1;
}
