// One small stylesheet, written to style.css: readable measure, system fonts with CJK
// fallbacks, images and tables that never push the page wider than the screen.
export const STYLESHEET = `:root {
  color-scheme: light dark;
  --fg: #1d1d1f; --muted: #5f6368; --bg: #ffffff; --line: #e3e3e3; --accent: #0b57d0;
}
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --muted: #a0a0a0; --bg: #141414; --line: #333; --accent: #8ab4f8; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: var(--bg); line-height: 1.7; font-size: 1.0625rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
  overflow-wrap: anywhere; word-break: normal;
}
.wrap { max-width: 46rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header.site { border-bottom: 1px solid var(--line); margin-bottom: 1.5rem; padding-bottom: .75rem; }
header.site a.home { font-weight: 700; font-size: 1.25rem; color: var(--fg); text-decoration: none; }
header.site p { margin: .25rem 0 0; color: var(--muted); }
a { color: var(--accent); }
h1 { line-height: 1.3; font-size: 1.75rem; margin: .5rem 0; }
.meta { color: var(--muted); font-size: .9375rem; }
.tags { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .5rem; }
.tags a { font-size: .875rem; border: 1px solid var(--line); border-radius: 999px; padding: .1rem .6rem; text-decoration: none; }
ol.issues { list-style: none; padding: 0; margin: 0; }
ol.issues li { padding: .9rem 0; border-bottom: 1px solid var(--line); }
ol.issues a.title { font-weight: 600; font-size: 1.0625rem; }
ol.issues p { margin: .25rem 0 0; color: var(--muted); }
img, video { max-width: 100%; height: auto; }
img.cover { display: block; margin: 1rem 0; border-radius: 6px; }
.content pre { overflow-x: auto; padding: .75rem; background: rgba(127,127,127,.12); border-radius: 6px; }
.content code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; font-size: .9em; }
.content table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; }
.content th, .content td { border: 1px solid var(--line); padding: .3rem .6rem; }
nav.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid var(--line); }
nav.pager a { max-width: 48%; }
nav.pager .newer { margin-left: auto; text-align: right; }
form.subscribe { margin: 1.5rem 0 2rem; padding: 1rem; border: 1px solid var(--line); border-radius: 8px; display: grid; gap: .5rem; }
form.subscribe label { display: grid; gap: .2rem; font-size: .9375rem; }
form.subscribe input { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; width: 100%; background: var(--bg); color: var(--fg); }
form.subscribe fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
form.subscribe legend { font-size: .9375rem; margin-bottom: .2rem; }
form.subscribe label.topic { display: inline-flex; align-items: center; gap: .35rem; }
form.subscribe label.topic input { width: auto; }
form.subscribe button { font: inherit; padding: .5rem 1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; justify-self: start; }
footer.site { margin-top: 3rem; color: var(--muted); font-size: .875rem; }
`;
