// `pressroom operators add|remove|list|passwd` and `pressroom tokens add|list|remove`: the
// console's accounts (docs/console.md). Passwords come from password-input.ts, never from argv; a
// token is printed once, when it is made, and only its SHA-256 is stored.
import type { Command } from 'commander';
import { invalidAddressMessage, parseAddress } from '../domain/address.js';
import { isRole, ROLES, type Role } from '../domain/roles.js';
import { DuplicateApiTokenError, DuplicateOperatorError } from '../storage/accounts.js';
import { InvalidEmailError } from '../storage/store.js';
import { configFrom, UsageError } from './common.js';
import { readNewPassword } from './password-input.js';
import { withStore } from './subscribers.js';

interface Options {
  config?: string;
  dataDir?: string;
}

const common = (c: Command) =>
  c
    .option('--data-dir <dir>', 'data folder holding pressroom.db (default ./data or PRESSROOM_DATA_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)');

export function registerOperatorCommands(program: Command): void {
  const group = program.command('operators').description("manage the operators' console logins (docs/console.md)");

  common(group.command('add <email>').description('add an operator; the password is read from stdin or PRESSROOM_OPERATOR_PASSWORD'))
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (email: string, options: Options & { role: string }) => {
      const role = parseRole(options.role);
      // The address first: nobody should type a password for an operator who cannot exist.
      const parsed = parseAddress(email);
      if (!parsed.ok) return fail(invalidAddressMessage(email, parsed.problem));
      const config = await configFrom(options);
      const passwordHash = await newPasswordHash();
      await withStore(config, async (store) => {
        try {
          const op = await store.addOperator({ email, role, passwordHash });
          console.log(`added operator ${op.email} (${op.role})`);
        } catch (err) {
          if (err instanceof DuplicateOperatorError || err instanceof InvalidEmailError) return fail(err.message);
          throw err;
        }
      });
    });

  common(group.command('remove <email>').description('remove an operator; their sessions end')).action(async (email: string, options: Options) => {
    await withStore(await configFrom(options), async (store) => {
      if (await store.removeOperator(email)) console.log(`removed operator ${email}; their sessions ended`);
      else fail(`${email}: not an operator`);
    });
  });

  common(group.command('list').description('print operators, one per line: email, role, created, locked until (tab-separated)')).action(async (options: Options) => {
    await withStore(await configFrom(options), async (store) => {
      for (const op of await store.listOperators()) {
        const locked = op.lockedUntil !== null && op.lockedUntil > Date.now() ? new Date(op.lockedUntil).toISOString() : '';
        console.log([op.email, op.role, op.createdAt, locked].join('\t'));
      }
    });
  });

  common(group.command('passwd <email>').description("set an operator's password (stdin or PRESSROOM_OPERATOR_PASSWORD); their sessions end")).action(
    async (email: string, options: Options) => {
      const config = await configFrom(options);
      const passwordHash = await newPasswordHash();
      await withStore(config, async (store) => {
        if (await store.setOperatorPassword(email, passwordHash)) console.log(`new password for ${email}; their sessions ended`);
        else fail(`${email}: not an operator`);
      });
    },
  );
}

export function registerTokenCommands(program: Command): void {
  const group = program.command('tokens').description('manage named API tokens for /api (docs/console.md)');

  common(group.command('add <name>').description('make a token and print it (once: only its hash is kept)'))
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (name: string, options: Options & { role: string }) => {
      const role = parseRole(options.role);
      const { createApiToken, tokenNameProblem } = await import('../accounts/manage.js');
      const problem = tokenNameProblem(name);
      if (problem) throw new UsageError(problem);
      await withStore(await configFrom(options), async (store) => {
        let token: string;
        try {
          ({ token } = await createApiToken(store, name, role));
        } catch (err) {
          if (err instanceof DuplicateApiTokenError) return fail(err.message);
          throw err;
        }
        console.log(token);
        console.error(`token ${name} (${role}): shown once; send it as "Authorization: Bearer <token>"`);
      });
    });

  common(group.command('list').description('print tokens, one per line: name, role, created, last used (tab-separated)')).action(async (options: Options) => {
    await withStore(await configFrom(options), async (store) => {
      for (const t of await store.listApiTokens()) console.log([t.name, t.role, t.createdAt, t.lastUsedAt ?? ''].join('\t'));
    });
  });

  common(group.command('remove <name>').description('remove a token; it stops working at once')).action(async (name: string, options: Options) => {
    await withStore(await configFrom(options), async (store) => {
      if (await store.removeApiToken(name)) console.log(`removed token ${name}`);
      else fail(`${name}: no such token`);
    });
  });
}

function parseRole(value: string): Role {
  if (!isRole(value)) throw new UsageError(`--role: "${value}" is not one of ${ROLES.join(', ')}`);
  return value;
}

async function newPasswordHash(): Promise<string> {
  const { hashPassword, passwordProblem } = await import('../accounts/password.js');
  const password = await readNewPassword();
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);
  return hashPassword(password);
}

/** A refusal about the content (exit 1), like `subscribers add` of a duplicate. */
function fail(message: string): void {
  console.error(`pressroom: ${message}`);
  process.exitCode = 1;
}
