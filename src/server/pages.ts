// The few HTML pages the service generates itself (sign-up, confirm, unsubscribe, preferences,
// messages and errors), from templates/service/*.liquid: every value from a request or the store
// is escaped by the templates; tokens are URL-encoded here, where they become part of a URL.
import { pageTemplates, type PageTemplates, type SafeHtml } from '../templates/engine.js';
import { NUMERIC_ENCODING } from '../templates/escape.js';
import type { TopicChoice } from './issue-source.js';

export type { SafeHtml };

let templates: PageTemplates | undefined;
const render = (name: string, values: object): SafeHtml => (templates ??= pageTemplates('service', NUMERIC_ENCODING)).render(name, values);

export interface PageOptions {
  siteTitle: string;
  title: string;
  /** A body from one of the functions below. */
  body: SafeHtml;
  lang?: string;
}

export function page({ siteTitle, title, body, lang = 'en' }: PageOptions): string {
  return render('page', { siteTitle, title, body, lang });
}

const withToken = (path: string, token: string) => `${path}?token=${encodeURIComponent(token)}`;

const box = (topic: TopicChoice, checked: boolean) => ({ key: topic.key, label: topic.label, checked });

/** The sign-up form, after a one-line error when there is one. */
export function subscribeForm(topics: TopicChoice[], error: string | null = null): SafeHtml {
  return render('subscribe', { error, topics: topics.map((t) => box(t, false)) });
}

/** The page a confirm link opens: nothing changes until the button is pressed (mail scanners fetch links). */
export function confirmForm(token: string): SafeHtml {
  return render('confirm', { action: withToken('/confirm', token) });
}

export function unsubscribeForm(token: string): SafeHtml {
  return render('unsubscribe', { action: withToken('/unsubscribe', token) });
}

/**
 * The subscriber's chosen topic keys shown with the issues' labels; a chosen topic no published
 * issue carries any more is still listed (by its key) so it can be unticked. `saved` describes
 * what was just saved.
 */
export function preferencesForm(token: string, allTopics: TopicChoice[], chosen: string[], status: string, unsubscribeToken?: string, saved: string | null = null): SafeHtml {
  const chosenSet = new Set(chosen);
  const known = new Set(allTopics.map((t) => t.key));
  const topics = [...allTopics, ...chosen.filter((key) => !known.has(key)).map((key) => ({ key, label: key }))].map((t) => box(t, chosenSet.has(t.key)));
  return render('preferences', {
    saved,
    status,
    action: withToken('/preferences', token),
    topics,
    unsubscribeHref: unsubscribeToken && status !== 'unsubscribed' ? withToken('/unsubscribe', unsubscribeToken) : null,
  });
}

export interface MessageOptions {
  /** Shown as an error (class="error"). */
  error?: boolean;
  /** A link after the text. */
  link?: { href: string; label: string };
}

/** One sentence for the visitor. */
export function message(text: string, { error = false, link }: MessageOptions = {}): SafeHtml {
  return render('message', { text, error, link: link ?? null });
}

/** A sentence with the subscription status highlighted: before + status + after. */
export function statusLine(before: string, status: string, after = ''): SafeHtml {
  return render('status', { before, status, after });
}
