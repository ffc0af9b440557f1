// How a link in an issue becomes absolute: one rule for the sanitizer (markdown.ts), the cover
// field (load-file.ts) and the preflight link check, in a leaf module so `check` can use it
// without loading the Markdown libraries.

/**
 * Resolves a link against the URL. Fragment-only links stay as they are; anything that
 * is not http(s) or mailto after resolution is dropped (returns null).
 */
export function absoluteUrl(value: string, baseUrl: string): string | null {
  const trimmed = value.trim();
  if (trimmed.startsWith('#')) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return url.href;
  return null;
}
