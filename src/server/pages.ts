// The bodies of the few HTML pages the service generates itself (sign-up, confirm, unsubscribe,
// preferences, messages and errors), from templates/site/*.liquid, put in the site's layout by
// servicePage (src/templates/site.ts): every value from a request or the store is escaped by the
// templates; tokens are URL-encoded here, where they become part of a URL.
// The words come from the site's message catalogue (src/i18n/), already filled with the site title.
import type { SubscriberStatus } from '../domain/subscriber-status.js';
import { preferenceTopics } from '../domain/topics.js';
import type { MessageKey } from '../i18n/catalogue.js';
import type { SafeHtml } from '../templates/engine.js';
import { part as render } from '../templates/site.js';
import type { TopicChoice } from './issue-source.js';

export type { SafeHtml };

/** The site's catalogue strings, filled in (src/i18n/catalogue.ts `messages`). */
export type Strings = Record<MessageKey, string>;

const withToken = (path: string, token: string) => `${path}?token=${encodeURIComponent(token)}`;

const box = (topic: TopicChoice, checked: boolean) => ({ key: topic.key, label: topic.label, checked });

/** What went wrong with a sign-up, for people: a sentence, and the checks' exact one-line reason (in the API's words) when it names a field. */
export interface FormProblem {
  sentence: string;
  detail: string | null;
}

/** A one-line reason ("email: required", see src/server/input.ts) as a sentence in the site's language, the reason kept as the detail. */
export function formProblem(t: Strings, reason: string): FormProblem {
  const field = /^(email|name|topics)\b/.exec(reason)?.[1] as 'email' | 'name' | 'topics' | undefined;
  return field ? { sentence: t[`error_field_${field}`], detail: reason } : { sentence: reason, detail: null };
}

/** The sign-up form, after what went wrong when something did. */
export function subscribeForm(t: Strings, topics: TopicChoice[], problem: FormProblem | null = null): SafeHtml {
  return render('subscribe', { t, error: problem, topics: topics.map((topic) => box(topic, false)) });
}

/** The page a confirm link opens: nothing changes until the button is pressed (mail scanners fetch links). */
export function confirmForm(t: Strings, token: string): SafeHtml {
  return render('confirm', { t, action: withToken('/confirm', token) });
}

export function unsubscribeForm(t: Strings, token: string): SafeHtml {
  return render('unsubscribe', { t, action: withToken('/unsubscribe', token) });
}

/** What an unsubscribed reader sees: that it worked, and a button back (the unsubscribe token authorises it). */
export function unsubscribedPage(t: Strings, text: string, unsubscribeToken: string): SafeHtml {
  return render('unsubscribed', { t, text, action: withToken('/resubscribe', unsubscribeToken) });
}

/** A status in words for people, never the stored value. */
export function stateSentence(t: Strings, status: SubscriberStatus): string {
  return t[`state_${status}`];
}

export interface PreferencesView {
  token: string;
  allTopics: TopicChoice[];
  chosen: string[];
  status: SubscriberStatus;
  unsubscribeToken: string;
  /** What was just saved, as a sentence. */
  saved?: string | null;
}

/**
 * The subscriber's chosen topics ticked among the issues' topics, each once (preferenceTopics);
 * a way out while subscribed, a way back once unsubscribed.
 */
export function preferencesForm(t: Strings, { token, allTopics, chosen, status, unsubscribeToken, saved = null }: PreferencesView): SafeHtml {
  return render('preferences', {
    t,
    saved,
    state: stateSentence(t, status),
    action: withToken('/preferences', token),
    topics: preferenceTopics(allTopics, chosen),
    unsubscribeHref: status === 'active' || status === 'pending' ? withToken('/unsubscribe', unsubscribeToken) : null,
    resubscribeAction: status === 'unsubscribed' ? withToken('/resubscribe', unsubscribeToken) : null,
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
