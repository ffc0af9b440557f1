// The commands of one mail transaction, as the bytes that go on the wire. Pure. With PIPELINING
// (RFC 2920) the whole group is one write and its replies come back in the same order; without it
// the same commands go one at a time (`envelopeCommands(...)` one line per write).
import type { Reply } from './reply.js';

/** A command and the name a failure is reported under (nodemailer's names, which the error classification knows). */
export interface Command {
  line: string;
  name: 'RSET' | 'MAIL FROM' | 'RCPT TO' | 'DATA';
}

/**
 * RSET first when the previous transaction failed (the server may still hold its envelope), then
 * MAIL FROM, one RCPT TO per recipient, DATA (which must end a pipelined group: the content waits
 * for its 354).
 */
export function envelopeCommands(from: string, to: readonly string[], reset = false): Command[] {
  const commands: Command[] = [];
  if (reset) commands.push({ line: 'RSET\r\n', name: 'RSET' });
  commands.push({ line: `MAIL FROM:<${checkPath(from)}>\r\n`, name: 'MAIL FROM' });
  for (const rcpt of to) commands.push({ line: `RCPT TO:<${checkPath(rcpt)}>\r\n`, name: 'RCPT TO' });
  commands.push({ line: 'DATA\r\n', name: 'DATA' });
  return commands;
}

/** The group as one string: what one pipelined write sends. */
export function pipelinedGroup(commands: readonly Command[]): string {
  let s = '';
  for (const c of commands) s += c.line;
  return s;
}

/** An address can never end the command line early or start another command (the address layer already refuses these). */
function checkPath(address: string): string {
  if (/[\r\n<>]/.test(address)) throw new Error(`not a valid SMTP path: ${JSON.stringify(address)}`);
  return address;
}

/** AUTH PLAIN's initial response (RFC 4616): NUL user NUL password, base64. */
export function authPlain(user: string, pass: string): string {
  return Buffer.from(`\u0000${user}\u0000${pass}`, 'utf8').toString('base64');
}

export function base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** What counts as success for each command of a transaction. */
export function accepted(command: Command, reply: Reply | undefined): boolean {
  if (!reply) return false;
  if (command.name === 'DATA') return reply.code === 354;
  if (command.name === 'RCPT TO') return reply.code === 250 || reply.code === 251;
  return reply.code === 250;
}
