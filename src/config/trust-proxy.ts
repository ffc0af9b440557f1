// Which proxies may tell us the client's address. Behind an appending proxy (nginx's
// $proxy_add_x_forwarded_for) the left of X-Forwarded-For is whatever the client wrote, so only
// the hops the operator names are trusted and the client address is read from the right: a hop
// count (1 = the one proxy in front of us), or the proxies' addresses / CIDR ranges. Fastify
// (proxy-addr) does the walking; this reads the setting (PRESSROOM_TRUST_PROXY or --trust-proxy),
// and server/trust-proxy.ts turns it into fastify's option, never into `true`, which would trust
// every hop the client invents.
import { isIP } from 'node:net';

/** false = use the socket address; n = trust n hops; list = trust these proxy addresses. */
export type TrustProxy = false | number | string[];

const OFF = /^(|0|false|no|off)$/i;
// A bare `--trust-proxy` and the old on/off values mean the one proxy in front of us.
const ONE_HOP = /^(true|yes|on)$/i;
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

export function parseTrustProxy(value: string | boolean | undefined, source: string): { ok: true; value: TrustProxy } | { ok: false; error: string } {
  if (value === undefined || value === false) return { ok: true, value: false };
  if (value === true) return { ok: true, value: 1 };
  const text = value.trim();
  if (OFF.test(text)) return { ok: true, value: false };
  if (ONE_HOP.test(text)) return { ok: true, value: 1 };
  if (/^\d+$/.test(text)) return { ok: true, value: Number(text) };
  const proxies = text.split(',').map((p) => p.trim());
  const bad = proxies.find((p) => !isProxyAddress(p));
  if (bad !== undefined) {
    return {
      ok: false,
      error: `${source}: ${JSON.stringify(bad)} is not a hop count or a proxy address (expected e.g. 1, or 10.0.0.5,192.168.0.0/16, or ${NAMED_RANGES.join('/')})`,
    };
  }
  return { ok: true, value: proxies };
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
