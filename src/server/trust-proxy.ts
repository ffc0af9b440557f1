// Fastify's `trustProxy` option from the setting (src/config/trust-proxy.ts reads it): only the
// hops the operator names are trusted, never `true`, which would trust every hop the client invents.
import type { TrustProxy } from '../config/trust-proxy.js';

export { parseTrustProxy, type TrustProxy } from '../config/trust-proxy.js';

/** Fastify's `trustProxy` option: hop 0 is the socket's peer, hop 1 the right-most X-Forwarded-For entry, and so on. */
export function fastifyTrustProxy(trust: TrustProxy | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined || trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}
