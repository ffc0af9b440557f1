// Contextual escaping of the page templates: the encoder follows the place in the HTML, unsafe
// places are refused at load time, and the shipped templates all load.
import { describe, expect, it } from 'vitest';
import { Liquid } from 'liquidjs';
import { ATTRIBUTE_FILTER, contextualize, TEXT_FILTER } from '../../src/templates/html-context.js';
import { NAMED_ENCODING } from '../../src/templates/escape.js';
import { pageTemplates } from '../../src/templates/engine.js';

function render(source: string, values: Record<string, unknown>): string {
  const liquid = new Liquid({ strictVariables: true, jsTruthy: true, outputEscape: NAMED_ENCODING.attribute });
  liquid.registerFilter(TEXT_FILTER, { raw: true, handler: (v: unknown) => NAMED_ENCODING.text(String(v)) });
  liquid.registerFilter(ATTRIBUTE_FILTER, { raw: true, handler: (v: unknown) => NAMED_ENCODING.attribute(String(v)) });
  return liquid.parseAndRenderSync(contextualize(source, 't.liquid'), values);
}

describe('contextualize', () => {
  const hostile = `"><script>alert(1)</script> & 'x'`;

  it('escapes text and double-quoted attributes each the way they need', () => {
    expect(render('<a title="{{ v }}">{{ v }}</a>', { v: hostile })).toBe(
      "<a title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; 'x'\">\"&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; 'x'</a>",
    );
  });

  it('keeps the attribute context across Liquid tags inside a tag', () => {
    const out = render('<input{% if on %} checked{% endif %} value="{% if on %}{{ v }}{% endif %}"> {{ v }}', { on: true, v: 'a"b' });
    expect(out).toBe('<input checked value="a&quot;b"> a"b');
  });

  it('leaves `| raw` alone and drops characters XML forbids', () => {
    expect(render('<div>{{ html | raw }}</div><p>{{ t }}</p>', { html: '<b>ok</b>', t: 'a\u0007b' })).toBe('<div><b>ok</b></div><p>ab</p>');
  });

  it('refuses outputs where no encoder is safe, naming file and line', () => {
    expect(() => contextualize('<p>\n<script>var x = "{{ v }}";</script>', 'x.liquid')).toThrow(/^x\.liquid:2: \{\{ v \}\} inside <script>/);
    expect(() => contextualize("<a href='{{ v }}'>", 'x.liquid')).toThrow(/x\.liquid:1: .*quoted/);
    expect(() => contextualize('<a href={{ v }}>', 'x.liquid')).toThrow(/x\.liquid:1: /);
    expect(() => contextualize('<a {{ v }}>', 'x.liquid')).toThrow(/in a tag/);
    expect(() => contextualize('<!-- {{ v }} -->', 'x.liquid')).toThrow(/comment/);
    expect(() => contextualize(`<p>{{ v | ${TEXT_FILTER} }}</p>`, 'x.liquid')).toThrow(/added by the template loader/);
  });

  it('uses named references, and &quot; only inside attributes', () => {
    expect(NAMED_ENCODING.text(`<&>"'`)).toBe(`&lt;&amp;&gt;"'`);
    expect(NAMED_ENCODING.attribute(`<&>"'`)).toBe(`&lt;&amp;&gt;&quot;'`);
  });
});

describe('the shipped templates', () => {
  it('all load (contextualize accepts them) and render (a service message as an example)', () => {
    const site = pageTemplates('site', NAMED_ENCODING);
    expect(site.render('message', { text: '<x>', error: true, link: { href: '/?a="b"', label: 'L' } })).toBe(
      '<p class="error">&lt;x&gt;</p><p><a href="/?a=&quot;b&quot;">L</a></p>\n',
    );
  });
});
