// The plain-text alternative, derived from the final HTML so both parts always say the same thing.
import { convert, type HtmlToTextOptions } from 'html-to-text';

const OPTIONS: HtmlToTextOptions = {
  wordwrap: 78,
  selectors: [
    // MJML's hidden preheader: it is for the inbox preview line, not for the body.
    { selector: 'div[style*="display:none"]', format: 'skip' },
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['[', ']'] } },
    // Headings stay as written (upper-casing hurts mixed-case product names and does nothing for CJK).
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', format: 'dataTable' },
    { selector: 'table[role="presentation"]', format: 'block' },
  ],
};

export function htmlToText(html: string): string {
  return `${convert(html, OPTIONS)
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
