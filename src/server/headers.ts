// Security headers for every HTML page we send, built or generated. The archive shows cover
// images from other hosts, so images may come from anywhere over http(s); nothing else may.
function contentSecurityPolicy(formTargets: string): string {
  return [
  "default-src 'self'",
  "img-src 'self' https: http: data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  `form-action ${formTargets}`,
  "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The archive's subscribe form posts to the configured site URL, which may be another origin
 * than the one the page came from (a CDN in front, http vs https), so that origin may receive
 * forms too. Referrer-Policy no-referrer keeps token URLs out of Referer headers.
 */
export function htmlSecurityHeaders(siteUrl?: string): Readonly<Record<string, string>> {
  let formTargets = "'self'";
  if (siteUrl) {
    try {
      formTargets += ` ${new URL(siteUrl).origin}`;
    } catch {
      // an invalid URL was rejected by loadConfig already; keep 'self'
    }
  }
  return {
    'content-security-policy': contentSecurityPolicy(formTargets),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

export const HTML_SECURITY_HEADERS = htmlSecurityHeaders();

const memo = new Map<string, Readonly<Record<string, string>>>();

/** The headers for the site URL as it is now (the service may adjust it once it knows its port). */
export function htmlSecurityHeadersFor(siteUrl: string | undefined): Readonly<Record<string, string>> {
  const key = siteUrl ?? '';
  let headers = memo.get(key);
  if (!headers) {
    headers = htmlSecurityHeaders(siteUrl);
    if (memo.size > 16) memo.clear();
    memo.set(key, headers);
  }
  return headers;
}
