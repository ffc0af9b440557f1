// Makes the issue HTML (already sanitized, absolute URLs) safe and readable inside an email:
// mail clients ignore <style> blocks unevenly (Gmail app, Outlook), so layout-critical rules are
// written inline; anything that cannot work in mail (scripts, forms, iframes, external CSS,
// data: images most clients block) is dropped again here rather than trusted from upstream.
import sanitizeHtml from 'sanitize-html';

/** Content width inside the MJML column (600px body minus padding). */
export const CONTENT_WIDTH = 552;

const CODE_FONT = "Menlo,Consolas,'Liberation Mono',monospace";

const STYLES: Record<string, string> = {
  img: 'max-width:100%;height:auto;border:0;outline:none;text-decoration:none;',
  pre: `white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere;background:#f6f8fa;border-radius:4px;padding:12px;margin:0 0 16px;font-family:${CODE_FONT};font-size:13px;line-height:1.45;color:#24292f;`,
  code: `font-family:${CODE_FONT};font-size:90%;background:#f6f8fa;border-radius:3px;padding:1px 4px;overflow-wrap:anywhere;`,
  table: 'border-collapse:collapse;margin:0 0 16px;',
  th: 'border:1px solid #d0d7de;padding:6px 10px;text-align:left;background:#f6f8fa;overflow-wrap:anywhere;',
  td: 'border:1px solid #d0d7de;padding:6px 10px;vertical-align:top;overflow-wrap:anywhere;',
  blockquote: 'margin:0 0 16px;padding:0 12px;border-left:4px solid #d0d7de;color:#57606a;',
  a: 'color:#0969da;text-decoration:underline;overflow-wrap:anywhere;',
  h1: 'font-size:24px;line-height:1.3;margin:24px 0 12px;',
  h2: 'font-size:20px;line-height:1.3;margin:24px 0 12px;',
  h3: 'font-size:17px;line-height:1.3;margin:20px 0 10px;',
  h4: 'font-size:15px;line-height:1.3;margin:16px 0 8px;',
  p: 'margin:0 0 16px;',
  ul: 'margin:0 0 16px;padding-left:24px;',
  ol: 'margin:0 0 16px;padding-left:24px;',
  hr: 'border:0;border-top:1px solid #d0d7de;margin:24px 0;',
};

const ALLOWED_TAGS = [
  'p',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'code',
  'kbd',
  'samp',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'del',
  'ins',
  'mark',
  'sup',
  'sub',
  'small',
  'span',
  'div',
  'a',
  'img',
  'figure',
  'figcaption',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'caption',
  'colgroup',
  'col',
];

export function adaptIssueHtml(html: string): string {
  const cleaned = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'title', 'width'],
      th: ['colspan', 'rowspan', 'align'],
      td: ['colspan', 'rowspan', 'align'],
      ol: ['start'],
      code: ['class'],
      // Only ever set by transformTags below; incoming style/target attributes are discarded there.
      '*': ['style', 'target'],
    },
    parseStyleAttributes: false,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    // script/style/textarea/option content is dropped entirely, not turned into text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
    transformTags: {
      '*': (tagName, attribs) => {
        const style = STYLES[tagName];
        const { style: _ignored, target: _ignored2, ...out } = attribs;
        if (tagName === 'img' && out.width !== undefined) {
          // Outlook honours the width attribute, not max-width: keep it only when it fits.
          const w = Number(out.width);
          if (!Number.isFinite(w) || w <= 0 || w > CONTENT_WIDTH) delete out.width;
        }
        const result: Record<string, string> = { ...out };
        if (tagName === 'a' && out.href) result.target = '_blank';
        if (style) result.style = style;
        return { tagName, attribs: result };
      },
    },
  });
  // Wide tables scroll inside their own box instead of widening the whole message on phones.
  return cleaned.replace(/<table\b/g, '<div style="overflow-x:auto;max-width:100%;"><table').replace(/<\/table>/g, '</table></div>');
}
