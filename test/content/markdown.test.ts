import { describe, expect, it } from 'vitest';
import { absoluteUrl, renderMarkdown } from '../../src/content/markdown.js';

const issueUrl = 'https://news.example.org/issues/sofa-weekly-20221104/';

describe('renderMarkdown', () => {
  it('removes scripts, frames, handlers, javascript: and data: URLs and styles', () => {
    const html = renderMarkdown(
      [
        '<script>alert(1)</script>',
        '<iframe src="https://evil.example"></iframe>',
        '<img src="https://cdn.example/x.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">js link</a>',
        '<img src="data:image/png;base64,AAAA" alt="inline">',
        '<style>body{display:none}</style>',
        '<p style="color:red" onclick="x()">styled</p>',
      ].join('\n\n'),
      issueUrl,
    );
    expect(html).not.toMatch(/<script|alert\(1\)<|<iframe|onerror|onclick|javascript:|data:|<style|style=/i);
    expect(html).toContain('<img src="https://cdn.example/x.png" />');
    expect(html).toContain('<a>js link</a>');
    expect(html).toContain('<p>styled</p>');
  });

  it('makes relative links and images absolute', () => {
    const html = renderMarkdown('[post](/blog/a/) [here](details.html) ![d](diagram.png) [top](#top) [p](//cdn.example/p)', issueUrl);
    expect(html).toContain('href="https://news.example.org/blog/a/"');
    expect(html).toContain('href="https://news.example.org/issues/sofa-weekly-20221104/details.html"');
    expect(html).toContain('src="https://news.example.org/issues/sofa-weekly-20221104/diagram.png"');
    expect(html).toContain('href="#top"');
    expect(html).toContain('href="https://cdn.example/p"');
  });

  it('gives headings stable unique ids, CJK included', () => {
    const html = renderMarkdown('## SOFA WEEKLY | 每周精选\n\n## Same\n\n## Same\n\n### C++ & *Go*', issueUrl);
    expect(html).toContain('<h2 id="sofa-weekly-每周精选">');
    expect(html).toContain('<h2 id="same">Same</h2>');
    expect(html).toContain('<h2 id="same-1">Same</h2>');
    expect(html).toContain('<h3 id="c-go">C++ &amp; <em>Go</em></h3>');
    // Ids restart for every document: rendering twice gives the same output.
    expect(renderMarkdown('## Same', issueUrl)).toBe(renderMarkdown('## Same', issueUrl));
  });

  it('keeps GFM tables, autolinks and code language classes', () => {
    const html = renderMarkdown('```ts\nconst x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nsee https://example.org/auto', issueUrl);
    expect(html).toContain('<pre><code class="language-ts">const x = 1;');
    expect(html).toMatch(/<table>[\s\S]*<td>1<\/td>/);
    expect(html).toContain('<a href="https://example.org/auto">https://example.org/auto</a>');
  });
});

describe('absoluteUrl', () => {
  it('refuses schemes other than http(s) and mailto', () => {
    expect(absoluteUrl('javascript:alert(1)', issueUrl)).toBeNull();
    expect(absoluteUrl('data:text/html,x', issueUrl)).toBeNull();
    expect(absoluteUrl('mailto:a@b.example', issueUrl)).toBe('mailto:a@b.example');
  });
});
