// Media types of the files we publish beside issues: cover images named in the feeds, and the
// files of a Hugo-style bundle (src/build/bundles.ts publishes only these; src/server/static.ts
// serves them with these types). An allow-list, because any other file on the site's origin
// could be active content (HTML, JavaScript).
//
// Cover images: a MIME type only when the URL's extension tells it. feed 6.0.0 builds
// `image/<whatever follows the last dot>`, which for CDN URLs without an extension
// (`.../A*Ig-jSIUZWx0AAAAAAAAAAAAAARQnAQ`) gives a nonsense type; we give none instead.

export type MediaKind = 'image' | 'audio' | 'video' | 'pdf' | 'text';

export interface MediaType {
  type: string;
  kind: MediaKind;
}

const MEDIA_TYPES: Record<string, MediaType> = {
  jpg: { type: 'image/jpeg', kind: 'image' },
  jpeg: { type: 'image/jpeg', kind: 'image' },
  png: { type: 'image/png', kind: 'image' },
  gif: { type: 'image/gif', kind: 'image' },
  webp: { type: 'image/webp', kind: 'image' },
  avif: { type: 'image/avif', kind: 'image' },
  svg: { type: 'image/svg+xml', kind: 'image' },
  mp3: { type: 'audio/mpeg', kind: 'audio' },
  m4a: { type: 'audio/mp4', kind: 'audio' },
  ogg: { type: 'audio/ogg', kind: 'audio' },
  oga: { type: 'audio/ogg', kind: 'audio' },
  opus: { type: 'audio/ogg', kind: 'audio' },
  wav: { type: 'audio/wav', kind: 'audio' },
  flac: { type: 'audio/flac', kind: 'audio' },
  mp4: { type: 'video/mp4', kind: 'video' },
  m4v: { type: 'video/mp4', kind: 'video' },
  webm: { type: 'video/webm', kind: 'video' },
  ogv: { type: 'video/ogg', kind: 'video' },
  mov: { type: 'video/quicktime', kind: 'video' },
  pdf: { type: 'application/pdf', kind: 'pdf' },
  txt: { type: 'text/plain; charset=utf-8', kind: 'text' },
  csv: { type: 'text/csv; charset=utf-8', kind: 'text' },
};

/** The extensions mediaTypeOf() knows, for messages. */
export const MEDIA_EXTENSIONS: readonly string[] = Object.keys(MEDIA_TYPES);

/** The media type of a file name or path by its extension; undefined = not a publishable file. */
export function mediaTypeOf(name: string): MediaType | undefined {
  const last = name.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = last.slice(dot + 1).toLowerCase();
  return Object.hasOwn(MEDIA_TYPES, ext) ? MEDIA_TYPES[ext] : undefined;
}

export function imageTypeFromUrl(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const media = mediaTypeOf(pathname);
  return media?.kind === 'image' ? media.type : undefined;
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
