// The one way the SES webhook reaches out: a GET of a URL already checked to be SNS's own
// (snsUrl), for the signing certificate or to confirm a subscription. A dependency of the
// handler, so a test can answer from a local server instead of AWS.

export type HttpGet = (url: URL) => Promise<string>;

/** A certificate or a confirmation answer is a few KB. */
const MAX_BYTES = 64 * 1024;
const TIMEOUT_MS = 10_000;

export const httpGet: HttpGet = async (url) => {
  // No redirects: the host checked is the host asked.
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url.origin}${url.pathname} answered ${response.status}`);
  const body = await response.arrayBuffer();
  if (body.byteLength > MAX_BYTES) throw new Error(`GET ${url.origin}${url.pathname} answered more than ${MAX_BYTES} bytes`);
  return Buffer.from(body).toString('utf8');
};
