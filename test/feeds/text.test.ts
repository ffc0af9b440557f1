import { describe, expect, it } from 'vitest';
import { cleanText, excerptOf } from '../../src/feeds/text.js';
import { NAMED_ENCODING } from '../../src/templates/escape.js';

// The archive's encoders (once escapeText/escapeAttr here, now behind the page templates).
const escapeText = NAMED_ENCODING.text;
const escapeAttr = NAMED_ENCODING.attribute;

describe('cleanText', () => {
  it('keeps tab, newline, CR, CJK, zero-width joiners and emoji (valid surrogate pairs)', () => {
    const ok = 'a\tb\nc\r\n周报\u200d 😀 \u{1F468}\u200d\u{1F469}';
    expect(cleanText(ok)).toBe(ok);
  });

  it('drops C0 controls, U+FFFE/U+FFFF and unpaired surrogates', () => {
    expect(cleanText('a\u0000b\u0008c\u000Bd\u001Fe\uFFFEf\uFFFFg')).toBe('abcdefg');
    expect(cleanText('x\uD83Dy\uDE00z 😀')).toBe('xyz 😀');
  });
});

describe('escaping', () => {
  it('escapes markup in text and quotes in attributes', () => {
    expect(escapeText('<a href="x">&amp;</a>')).toBe('&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeAttr('"<&>"')).toBe('&quot;&lt;&amp;&gt;&quot;');
  });
});

describe('excerptOf', () => {
  it('gives the text a reader sees: tags gone, entities decoded, code left out, whitespace folded', () => {
    expect(excerptOf('<p>SOFA &amp; <b>MOSN</b></p>\n<pre><code>let x = 1;</code></pre><p>本周&nbsp;精选</p>')).toBe('SOFA & MOSN 本周 精选');
  });

  it('cuts at max characters (code points, not UTF-16 units) with an ellipsis', () => {
    const cut = excerptOf(`<p>${'周报'.repeat(200)}</p>`, 10);
    expect([...cut]).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
    expect(excerptOf('<p>short</p>', 10)).toBe('short');
    expect(excerptOf('<p><img src="x.png" alt=""></p>')).toBe('');
  });
});
