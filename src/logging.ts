// Structured logs (pino): JSON lines when output goes to a file or a collector, a readable
// coloured form on a terminal. Logs go to stderr so command output on stdout stays clean.
import { pino, type Logger } from 'pino';

export type { Logger };

/** level: the configured one (config.logLevel, PRESSROOM_LOG_LEVEL). */
export function createLogger(options: { level: string; pretty?: boolean }): Logger {
  const { level } = options;
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino({ level }, pino.destination(2));
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
