// An issue's cover in the feeds. Not an RSS <enclosure> or an Atom enclosure link: covers are
// often CDN URLs without extension, and readers treat an enclosure (typed or not) as an
// attachment to download. Instead, in RSS and Atom, Media RSS (xmlns:media, MEDIA_NS):
// <media:content url medium="image" [type]> (type only when the extension tells it) and
// <media:thumbnail url>; in all three formats the cover is also the first element of the item's
// HTML (<p><img src alt="title"/></p>), serialized by the XML writer, so nothing is escaped here.
// JSON Feed keeps `image`. Only absolute http(s) URLs are covers (isHttpUrl).
import { imageTypeFromUrl, isHttpUrl } from './media.js';
import { el, serializeFragment, type XmlElement } from './xml.js';

export const MEDIA_NS = 'http://search.yahoo.com/mrss/';

/** The cover as published (normalised), or undefined when it is not an absolute http(s) URL. */
export function coverUrl(cover: string | undefined): string | undefined {
  return isHttpUrl(cover) ? new URL(cover).href : undefined;
}

/** Media RSS elements for a cover; none when it is not an absolute http(s) URL. */
export function mediaCover(cover: string | undefined): XmlElement[] {
  const url = coverUrl(cover);
  if (url === undefined) return [];
  return [el('media:content', { url, medium: 'image', type: imageTypeFromUrl(url) }), el('media:thumbnail', { url })];
}

/** The item's HTML with the cover image first (unchanged when there is no usable cover). */
export function htmlWithCover(html: string, cover: string | undefined, title: string): string {
  const src = coverUrl(cover);
  if (src === undefined) return html;
  return serializeFragment(el('p', {}, el('img', { src, alt: title }))) + html;
}
