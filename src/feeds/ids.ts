// Item ids never change once published: they are derived from the site's host and path
// and the issue's slug only (never its title or date), so correcting a title or a date
// does not re-announce the issue in every reader.
//
// Form (RFC 4151 tag URI): tag:<host>,2000:<site path>issues/<slug>
// The authority is the host name without the port: RFC 4151 allows a DNS name (or an email
// address) there, nothing else, and moving the site to another port must not re-announce every
// issue. An IPv6 literal, which is not a DNS name, is written the ipv6-literal.net way.
// The date part is fixed: RFC 4151 requires one, and taking it from the issue's date would
// change the id when a wrong date is corrected. The same id is used by RSS (guid,
// isPermaLink="false"), Atom (id) and JSON Feed (id), so readers can match them up.
// feed 6.0.0 would throw on a non-URL Atom id; we write Atom ourselves (see atom.ts).

export const TAG_DATE = '2000';

export function issueId(siteUrl: string, slug: string): string {
  const site = new URL(siteUrl);
  // The site path is already percent-encoded by URL; the slug may hold CJK or spaces.
  const slugPart = slug.split('/').map(encodeURIComponent).join('/');
  return `tag:${tagAuthority(site.hostname)},${TAG_DATE}:${site.pathname}issues/${slugPart}`;
}

function tagAuthority(hostname: string): string {
  if (!hostname.startsWith('[')) return hostname; // URL has lower-cased and punycoded it
  // [2001:db8::1] -> 2001-db8-0-1.ipv6-literal.net (URL writes the address in its canonical form).
  return `${hostname
    .slice(1, -1)
    .split(':')
    .map((group) => group || '0')
    .join('-')}.ipv6-literal.net`;
}
