// A failure of the pipelining client, shaped like nodemailer's errors (code, responseCode, response,
// command) so that transports/smtp-shared.ts classifies both SMTP clients by one rule.
import type { Reply } from './reply.js';

export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly command?: string,
    readonly responseCode?: number,
    readonly response?: string,
  ) {
    super(message);
  }
}

/** The failed command's reply as an error. */
export function refused(command: string, reply: Reply, code = 'EENVELOPE'): SmtpError {
  return new SmtpError(`${command} failed: ${reply.text}`, code, command, reply.code || undefined, reply.text);
}
