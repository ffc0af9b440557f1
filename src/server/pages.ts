// The few HTML pages the service generates itself (sign-up, confirm, unsubscribe, preferences).
// Every value that came from a request or the store goes through escapeHtml; tokens are also
// URL-encoded where they end up in an attribute URL.
import type { TopicChoice } from './issue-source.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface PageOptions {
  siteTitle: string;
  title: string;
  /** Already-safe HTML. */
  body: string;
  lang?: string;
}

export function page({ siteTitle, title, body, lang = 'en' }: PageOptions): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · ${escapeHtml(siteTitle)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
form{margin:1.5rem 0}label{display:block;margin:.5rem 0}input[type=email],input[type=text]{width:100%;padding:.4rem;font:inherit}
button{font:inherit;padding:.4rem 1.2rem;cursor:pointer}.status{font-weight:bold}
</style>
</head>
<body>
<main>
<p><a href="/">${escapeHtml(siteTitle)}</a></p>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function topicBox(topic: TopicChoice, checked: boolean): string {
  return `<label><input type="checkbox" name="topics" value="${escapeHtml(topic.key)}"${checked ? ' checked' : ''}> ${escapeHtml(topic.label)}</label>`;
}

export function subscribeForm(topics: TopicChoice[]): string {
  const topicBoxes =
    topics.length === 0 ? '' : `<fieldset><legend>Topics (none = everything)</legend>${topics.map((t) => topicBox(t, false)).join('')}</fieldset>`;
  return `<form method="post" action="/subscribe" id="subscribe">
<label>Email <input type="email" name="email" required maxlength="254" autocomplete="email"></label>
<label>Name (optional) <input type="text" name="name" maxlength="200" autocomplete="name"></label>
${topicBoxes}
<button type="submit">Subscribe</button>
</form>`;
}

/** The page a confirm link opens: nothing changes until the button is pressed (mail scanners fetch links). */
export function confirmForm(token: string): string {
  return `<p>Press the button to confirm your subscription.</p>
<form method="post" action="/confirm?token=${encodeURIComponent(token)}" id="confirm">
<button type="submit">Confirm subscription</button>
</form>`;
}

export function unsubscribeForm(token: string): string {
  // The same body a mail client sends for RFC 8058 one-click, so both paths are one code path.
  return `<p>Press the button to stop receiving this newsletter.</p>
<form method="post" action="/unsubscribe?token=${encodeURIComponent(token)}" id="unsubscribe">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`;
}

/**
 * The subscriber's chosen topic keys shown with the issues' labels; a chosen topic no published
 * issue carries any more is still listed (by its key) so it can be unticked.
 */
export function preferencesForm(token: string, allTopics: TopicChoice[], chosen: string[], status: string, unsubscribeToken?: string): string {
  const chosenSet = new Set(chosen);
  const known = new Set(allTopics.map((t) => t.key));
  const boxes = [...allTopics, ...chosen.filter((key) => !known.has(key)).map((key) => ({ key, label: key }))]
    .map((t) => topicBox(t, chosenSet.has(t.key)))
    .join('');
  return `<p>Subscription status: <span class="status">${escapeHtml(status)}</span></p>
<form method="post" action="/preferences?token=${encodeURIComponent(token)}" id="preferences">
<fieldset><legend>Topics (none = everything)</legend>${boxes || '<p>No topics yet.</p>'}</fieldset>
<button type="submit">Save</button>
</form>${
    unsubscribeToken && status !== 'unsubscribed'
      ? `\n<p><a href="/unsubscribe?token=${encodeURIComponent(unsubscribeToken)}">Unsubscribe from everything</a></p>`
      : ''
  }`;
}
