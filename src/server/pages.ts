// The few HTML pages the service generates itself (sign-up, confirm, unsubscribe, preferences).
// Every value that came from a request or the store goes through escapeHtml; tokens are also
// URL-encoded where they end up in an attribute URL.

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

export function subscribeForm(topics: string[]): string {
  const topicBoxes =
    topics.length === 0
      ? ''
      : `<fieldset><legend>Topics (none = everything)</legend>${topics
          .map((t) => `<label><input type="checkbox" name="topics" value="${escapeHtml(t)}"> ${escapeHtml(t)}</label>`)
          .join('')}</fieldset>`;
  return `<form method="post" action="/subscribe" id="subscribe">
<label>Email <input type="email" name="email" required maxlength="254" autocomplete="email"></label>
<label>Name (optional) <input type="text" name="name" maxlength="200" autocomplete="name"></label>
${topicBoxes}
<button type="submit">Subscribe</button>
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

export function preferencesForm(token: string, allTopics: string[], chosen: string[], status: string, unsubscribeToken?: string): string {
  const chosenSet = new Set(chosen);
  const boxes = [...new Set([...allTopics, ...chosen])]
    .map(
      (t) =>
        `<label><input type="checkbox" name="topics" value="${escapeHtml(t)}"${chosenSet.has(t) ? ' checked' : ''}> ${escapeHtml(t)}</label>`,
    )
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
