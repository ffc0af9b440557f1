// The search page's script: loads the prebuilt index (index.json and its parts, written by the build) once,
// searches it as the reader types or submits, and lists the issues found. Runs from static files
// alone: no server answers queries. Results are built with textContent, never as HTML.
import MiniSearch from './minisearch.js';
import { INDEX_OPTIONS, SEARCH_OPTIONS } from './options.js';

const form = document.querySelector('form.search');
const input = form.querySelector('input[name=q]');
const status = document.querySelector('.search-status');
const list = document.querySelector('ol.issues');
// The page's words, in the site's language (templates/site/search.liquid).
const words = form.dataset;

// The index comes in parts (index.json lists them); each is searched and the hits merged by score.
let parts;
const fetchText = (name) =>
  fetch(name).then((answer) => {
    if (!answer.ok) throw new Error(`${name}: HTTP ${answer.status}`);
    return answer.text();
  });
const loadIndex = () =>
  (parts ??= fetchText('index.json').then((list) =>
    Promise.all(JSON.parse(list).parts.map((name) => fetchText(name).then((json) => MiniSearch.loadJSON(json, INDEX_OPTIONS)))),
  ));
const searchAll = (indexes, q) => indexes.flatMap((index) => index.search(q, SEARCH_OPTIONS)).sort((a, b) => b.score - a.score);

function item(hit) {
  const li = document.createElement('li');
  const link = document.createElement('a');
  link.className = 'title';
  link.href = `../${hit.url}`;
  link.textContent = hit.title;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = hit.date;
  li.append(link, meta);
  if (hit.summary) {
    const summary = document.createElement('p');
    summary.textContent = hit.summary;
    li.append(summary);
  }
  return li;
}

async function run(query) {
  const q = query.trim();
  if (!q) {
    list.replaceChildren();
    status.textContent = '';
    return;
  }
  let hits;
  try {
    hits = searchAll(await loadIndex(), q);
  } catch {
    parts = undefined;
    status.textContent = words.failed;
    return;
  }
  if (input.value.trim() !== q) return; // a newer query is on its way
  list.replaceChildren(...hits.slice(0, 50).map(item));
  status.textContent = hits.length === 0 ? words.none : words.count.replace('{count}', String(hits.length));
}

let timer;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(input.value), 150);
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set('q', input.value);
  history.replaceState(null, '', url);
  run(input.value);
});

const initial = new URLSearchParams(location.search).get('q');
if (initial) {
  input.value = initial;
  run(initial);
}
