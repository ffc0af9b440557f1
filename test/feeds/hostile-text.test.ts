// Plain-text titles and descriptions that look like markup (test/fixtures/hostile/feed-*):
// built through the real CLI, every feed reader must show them as the literal text, never as
// HTML. RSS is the format at risk: readers take its <title> and <description> as HTML.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execCliSync } from '../support/cli.js';
import { fixturesDir } from '../support/paths.js';
import { tempDir, validateFeeds } from './helpers.js';

const HOSTILE = path.join(fixturesDir, 'hostile');
// The fixtures' values, as written there.
const ISSUE_TITLE = '<img src=x onerror=alert(1)> <b>Weekly</b> & co';
const ISSUE_DESCRIPTION = '</title></description><script>alert(1)</script>]]> 1 < 2 & <i>so</i> on';
const SITE = JSON.parse(readFileSync(path.join(HOSTILE, 'feed-site.json'), 'utf8')).site as { title: string; description: string };

interface Shown {
  bozo: boolean;
  title: string;
  subtitle: string;
  entries: Array<{ title: string; summary: string }>;
}

/**
 * What a reader built on Python feedparser displays: the value as text when feedparser calls it
 * text/plain, the text of the HTML (tags dropped, references decoded) when it calls it HTML.
 */
function shownByFeedparser(file: string): Shown {
  const script = `
import feedparser, json, sys
from html.parser import HTMLParser
class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
    def handle_data(self, data):
        self.parts.append(data)
def shown(detail, value):
    if detail is None or detail.get("type") != "text/html":
        return value
    t = Text(); t.feed(value); t.close()
    return "".join(t.parts)
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": bool(d.bozo),
  "title": shown(d.feed.get("title_detail"), d.feed.get("title", "")),
  "subtitle": shown(d.feed.get("subtitle_detail"), d.feed.get("subtitle", "")),
  "entries": [{"title": shown(e.get("title_detail"), e.get("title", "")),
               "summary": shown(e.get("summary_detail"), e.get("summary", ""))} for e in d.entries],
}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}

let out: string;
let build: ReturnType<typeof execCliSync>;

beforeAll(() => {
  const root = tempDir();
  mkdirSync(path.join(root, 'issues'));
  copyFileSync(path.join(HOSTILE, 'feed-markup-in-text.md'), path.join(root, 'issues', 'feed-markup-in-text.md'));
  copyFileSync(path.join(HOSTILE, 'feed-site.json'), path.join(root, 'pressroom.config.json'));
  out = path.join(root, 'public');
  build = execCliSync(['build', '--issues', 'issues', '--out', out], { cwd: root });
});

describe('plain text that looks like markup', () => {
  it('builds', () => {
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
  });

  it('comes back from RSS as the literal text (item and channel title and description)', () => {
    const rss = shownByFeedparser(path.join(out, 'feed.xml'));
    expect(rss.bozo).toBe(false);
    expect(rss.entries).toEqual([{ title: ISSUE_TITLE, summary: ISSUE_DESCRIPTION }]);
    expect(rss.title).toBe(SITE.title);
    expect(rss.subtitle).toBe(SITE.description);
  });

  it('comes back from Atom and JSON Feed as the literal text too', () => {
    const atom = shownByFeedparser(path.join(out, 'atom.xml'));
    expect(atom.bozo).toBe(false);
    expect(atom.entries).toEqual([{ title: ISSUE_TITLE, summary: ISSUE_DESCRIPTION }]);
    expect(atom.title).toBe(SITE.title);
    expect(atom.subtitle).toBe(SITE.description);
    const json = JSON.parse(readFileSync(path.join(out, 'feed.json'), 'utf8'));
    expect(json.title).toBe(SITE.title);
    expect(json.description).toBe(SITE.description);
    expect(json.items[0].title).toBe(ISSUE_TITLE);
    expect(json.items[0].summary).toBe(ISSUE_DESCRIPTION);
  });

  it('keeps the body HTML as HTML in content:encoded', () => {
    const rss = readFileSync(path.join(out, 'feed.xml'), 'utf8');
    expect(rss).toContain('<content:encoded><![CDATA[<p>The body is Markdown and stays HTML in the feeds.</p>');
  });

  it('gives feeds that pass validate-feeds', () => {
    const v = validateFeeds(out);
    expect(v.lines.at(-1)).toMatch(/^\d+ feeds checked, 0 problems$/);
    expect(v.status).toBe(0);
  });
});
