// Cover images: a MIME type only when the URL's extension tells it. feed 6.0.0 builds
// `image/<whatever follows the last dot>`, which for CDN URLs without an extension
// (`.../A*Ig-jSIUZWx0AAAAAAAAAAAAAARQnAQ`) gives a nonsense type; we give none instead.

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

export function imageTypeFromUrl(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const last = pathname.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return IMAGE_TYPES[last.slice(dot + 1).toLowerCase()];
}

/** Only absolute http(s) URLs are published as covers. */
export function isHttpUrl(url: string | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
