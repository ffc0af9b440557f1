import { describe, expect, it } from 'vitest';
import { adaptIssueHtml } from '../../src/email/adapt-html.js';

describe('adaptIssueHtml', () => {
  it('makes images fluid, keeps a width that fits and drops one that does not', () => {
    const out = adaptIssueHtml('<img src="https://x.org/a.png" width="300" height="200"><img src="https://x.org/b.png" width="1200">');
    expect(out).toContain('<img src="https://x.org/a.png" width="300" style="max-width:100%;height:auto;');
    expect(out).toContain('<img src="https://x.org/b.png" style="max-width:100%;height:auto;');
    expect(out).not.toContain('height="200"');
    expect(out).not.toContain('1200');
  });

  it('drops data: and protocol-relative images, scripts, styles, forms and event handlers', () => {
    const out = adaptIssueHtml(
      '<p onclick="x()" style="position:fixed">t</p><img src="data:image/png;base64,AAAA"><img src="//evil.example/x.png">' +
        '<script>alert(1)</script><style>p{}</style><form><input></form><iframe src="https://e.example/"></iframe>',
    );
    expect(out).toBe('<p style="margin:0 0 16px;">t</p>');
  });

  it('keeps tables inside a scrolling box and code readable', () => {
    const out = adaptIssueHtml('<table><tr><th>a</th><td>b</td></tr></table><pre><code class="language-go">x  := 1</code></pre>');
    expect(out).toMatch(/^<div style="overflow-x:auto;max-width:100%;"><table style="border-collapse:collapse;/);
    expect(out).toContain('</table></div>');
    expect(out).toMatch(/<th style="border:1px solid #d0d7de;/);
    expect(out).toMatch(/<pre style="white-space:pre-wrap;[^"]*font-family:Menlo/);
    expect(out).toContain('x  := 1');
  });

  it('keeps links (http, https, mailto) and drops javascript: URLs', () => {
    const out = adaptIssueHtml('<a href="https://a.org/">a</a><a href="mailto:x@y.org">m</a><a href="javascript:alert(1)">j</a>');
    expect(out).toContain('<a href="https://a.org/" target="_blank" style=');
    expect(out).toContain('<a href="mailto:x@y.org" target="_blank"');
    expect(out).not.toContain('javascript');
  });
});
