// Cross-site request forgery guard for the forms that change a subscription from a browser
// (confirm, preferences). Browsers say where a request comes from: Sec-Fetch-Site in every
// current browser, Origin on every POST in older ones. A request with neither is not from a
// browser, so no other site can have made a visitor's browser send it (the same approach as
// Go's net/http CrossOriginProtection). The signed token in the URL stays the capability; this
// only stops another site from using one it has seen.
import type { FastifyRequest } from 'fastify';

export function isCrossSite(request: FastifyRequest, siteUrl: string): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') return fetchSite !== 'same-origin' && fetchSite !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  let from: URL;
  let ownHost: string | undefined;
  try {
    from = new URL(origin);
    // The Host header in the origin's scheme, so default ports compare equal (":80" and none).
    ownHost = request.headers.host ? new URL(`${from.protocol}//${request.headers.host}`).host : undefined;
  } catch {
    return true; // "null" (sandboxed or privacy-sensitive contexts) or garbage
  }
  // Our own pages post to our own host; behind a proxy the public origin is the site URL's.
  return from.host !== ownHost && from.origin !== new URL(siteUrl).origin;
}
