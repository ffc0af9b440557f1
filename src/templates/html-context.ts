// Contextual escaping for page templates. Before a template is parsed, every `{{ output }}` gets
// the encoder for where it sits in the HTML: element text, or a double-quoted attribute value.
// Places no encoder makes safe (inside <script> or <style>, a comment, an unquoted or
// single-quoted attribute) are refused when the template is loaded. Only an explicit `| raw`
// (for HTML that is already sanitised) is left alone.

export const TEXT_FILTER = 'html_text';
export const ATTRIBUTE_FILTER = 'html_attribute';

type State = 'text' | 'tag' | 'double' | 'single' | 'unquoted' | 'comment' | 'rawtext';

const RAW_LAST = /\|\s*raw\s*-?$/;
const RAWTEXT_ELEMENTS = new Set(['script', 'style']);

/** The template source with an encoder filter appended to each output; throws on unsafe places. */
export function contextualize(source: string, file: string): string {
  let out = '';
  let state: State = 'text';
  let tagName = '';
  let closing = false;
  let i = 0;
  const fail = (at: number, why: string): never => {
    const line = source.slice(0, at).split('\n').length;
    throw new Error(`${file}:${line}: ${why}`);
  };

  while (i < source.length) {
    if (source.startsWith('{{', i)) {
      const end = source.indexOf('}}', i + 2);
      if (end < 0) fail(i, 'unclosed {{');
      out += output(source.slice(i + 2, end), state, (why) => fail(i, why));
      i = end + 2;
      continue;
    }
    if (source.startsWith('{%', i)) {
      const end = source.indexOf('%}', i + 2);
      if (end < 0) fail(i, 'unclosed {%');
      const name = /^-?\s*(\w+)/.exec(source.slice(i + 2, end))?.[1];
      // raw and comment bodies are not Liquid: copy them through unchanged.
      const close = name === 'raw' || name === 'comment' ? new RegExp(`\\{%-?\\s*end${name}\\s*-?%\\}`, 'g') : undefined;
      let next = end + 2;
      if (close) {
        close.lastIndex = next;
        const m = close.exec(source);
        if (!m) fail(i, `{% ${name} %} without {% end${name} %}`);
        next = m!.index + m![0].length;
      }
      out += source.slice(i, next);
      i = next;
      continue;
    }
    const c = source[i]!;
    switch (state) {
      case 'text':
        if (source.startsWith('<!--', i)) {
          state = 'comment';
        } else if (c === '<') {
          const m = /^<(\/?)([a-zA-Z][\w-]*)/.exec(source.slice(i, i + 40));
          if (m) {
            state = 'tag';
            closing = m[1] === '/';
            tagName = m[2]!.toLowerCase();
          }
        }
        break;
      case 'tag':
        if (c === '"') state = 'double';
        else if (c === "'") state = 'single';
        else if (c === '>') state = !closing && RAWTEXT_ELEMENTS.has(tagName) ? 'rawtext' : 'text';
        else if (c === '=' && !/^=\s*["']/.test(source.slice(i, i + 20))) state = 'unquoted';
        break;
      case 'double':
        if (c === '"') state = 'tag';
        break;
      case 'single':
        if (c === "'") state = 'tag';
        break;
      case 'unquoted':
        if (c === '>') state = 'text';
        else if (/\s/.test(c)) state = 'tag';
        break;
      case 'comment':
        if (source.startsWith('-->', i)) {
          out += '-->';
          i += 3;
          state = 'text';
          continue;
        }
        break;
      case 'rawtext':
        if (source.slice(i, i + tagName.length + 2).toLowerCase() === `</${tagName}`) {
          state = 'tag';
          closing = true;
        }
        break;
    }
    out += c;
    i++;
  }
  if (state !== 'text') fail(source.length, `template ends inside HTML markup (${state})`);
  return out;
}

function output(inner: string, state: State, fail: (why: string) => never): string {
  const trimLeft = inner.startsWith('-') ? '-' : '';
  const trimRight = inner.endsWith('-') ? '-' : '';
  const expression = inner.slice(trimLeft.length, inner.length - trimRight.length).trim();
  if (expression.includes(TEXT_FILTER) || expression.includes(ATTRIBUTE_FILTER)) fail(`${TEXT_FILTER}/${ATTRIBUTE_FILTER} are added by the template loader; do not write them`);
  if (RAW_LAST.test(expression)) return `{{${inner}}}`;
  const filter = state === 'text' ? TEXT_FILTER : state === 'double' ? ATTRIBUTE_FILTER : undefined;
  if (!filter) {
    const where =
      state === 'rawtext'
        ? 'inside <script> or <style>'
        : state === 'comment'
          ? 'inside an HTML comment'
          : `in a ${state === 'tag' ? 'tag' : `${state}-quoted or unquoted attribute`}`;
    fail(`{{ ${expression} }} ${where} cannot be escaped safely; put values in element text or "double-quoted" attributes`);
  }
  return `{{${trimLeft} ${expression} | ${filter} ${trimRight}}}`;
}
