// Real attachments of an issue: the audio, video and PDF files of its bundle (src/build/bundles.ts
// publishes them beside the issue page), with their true type and length. They become RSS
// <enclosure> (RSS 2.0 allows one per item: the first by kind, audio before video before PDF,
// then by name), Atom <link rel="enclosure"> and JSON Feed `attachments`. Covers and inline
// images are not attachments (cover.ts).
import { mediaTypeOf, type MediaKind } from './media.js';

export interface Attachment {
  url: string;
  type: string;
  /** Bytes. */
  length: number;
}

/** What feed formats receive: an issue's attachments, by slug. */
export type AttachmentsBySlug = ReadonlyMap<string, readonly Attachment[]>;

const ENCLOSED: readonly MediaKind[] = ['audio', 'video', 'pdf'];

/**
 * Attachments from the published bundle files (output path `issues/<slug>/<file>` -> size),
 * absolute under the site URL, in enclosure order.
 */
export function attachmentsOf(siteUrl: string, files: ReadonlyMap<string, number>): Map<string, Attachment[]> {
  const bySlug = new Map<string, Array<Attachment & { rank: number; name: string }>>();
  for (const [name, length] of files) {
    const m = /^issues\/([^/]+)\/(.+)$/.exec(name);
    const media = mediaTypeOf(name);
    if (!m || !media || !ENCLOSED.includes(media.kind)) continue;
    const list = bySlug.get(m[1]!) ?? [];
    // Each path segment percent-encoded once: names may be Chinese or hold spaces.
    const url = new URL(name.split('/').map(encodeURIComponent).join('/'), siteUrl).href;
    list.push({ url, type: media.type, length, rank: ENCLOSED.indexOf(media.kind), name: m[2]! });
    bySlug.set(m[1]!, list);
  }
  return new Map(
    [...bySlug].map(([slug, list]) => [
      slug,
      list.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(({ url, type, length }) => ({ url, type, length })),
    ]),
  );
}
