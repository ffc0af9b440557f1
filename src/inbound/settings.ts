// What the inbound receiver needs from the configuration, checked before anything opens: the
// bounce address (its domain is the only one accepted) and the secret the VERP tokens were signed
// with. Without either it could verify nothing, so it refuses to start (a one-line error, exit 2).
import { ConfigError, type Config } from '../config/config.js';

/** `pressroom inbound` listens here when inbound.port is unset. */
export const DEFAULT_INBOUND_PORT = 2525;

export interface ReceiverSettings {
  bounceAddress: string;
  secret: string;
  host: string;
  port: number;
  maxMessageBytes: number;
  trustReportedAddresses: boolean;
}

export function receiverSettings(config: Config, secret: string | null): ReceiverSettings {
  const bounceAddress = config.email.bounceAddress;
  if (!bounceAddress)
    throw new ConfigError(
      'email.bounceAddress: the inbound receiver needs it (its domain is the only one it accepts mail for; set PRESSROOM_BOUNCE_ADDRESS, e.g. bounces@news.example.org)',
    );
  if (!secret)
    throw new ConfigError(
      'secret: the inbound receiver needs the secret the senders sign VERP tokens with (set PRESSROOM_SECRET or "secret" in the config file, the same as for `pressroom start`/`send`)',
    );
  const { host, port, maxMessageBytes, trustReportedAddresses } = config.inbound;
  return { bounceAddress, secret, host, port: port ?? DEFAULT_INBOUND_PORT, maxMessageBytes, trustReportedAddresses };
}

/** A port the receiver cannot listen on is a configuration error (one line, exit 2), for `inbound` and `start` alike; null for any other error. */
export function inboundListenProblem(err: unknown, settings: Pick<ReceiverSettings, 'host' | 'port'>): ConfigError | null {
  const { host, port } = settings;
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return new ConfigError(`inbound.port: ${where} is already in use (choose another with PRESSROOM_INBOUND_PORT)`);
  if (code === 'EACCES') return new ConfigError(`inbound.port: not allowed to listen on ${where} (ports below 1024 need privileges: listen on 2525 and forward port 25 to it)`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`inbound.host: ${host} is not an address of this machine (set PRESSROOM_INBOUND_HOST)`);
  return null;
}
