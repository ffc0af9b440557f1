// Visitor-facing routes: double opt-in sign-up, confirm, one-click unsubscribe (RFC 8058) and
// topic preferences. Links carry signed tokens (src/email/tokens.ts); nothing here trusts an
// address or id from the request without one. Opening a link (GET, HEAD) never changes anything:
// mail scanners fetch every link in a message; a person presses a button (POST). Every word a
// reader sees comes from the site's message catalogue (src/i18n/, chosen by site.language).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalAddress } from '../domain/address.js';
import { normalizeTopics, topicLabels } from '../domain/topics.js';
import { signToken, verifyToken, type TokenPurpose } from '../email/tokens.js';
import { fill, messages } from '../i18n/catalogue.js';
import { DuplicateSubscriberError, InvalidEmailError, type Subscriber } from '../storage/store.js';
import type { ServerContext } from './context.js';
import { checkEmail, checkName, checkTopics, field, type SignUpFields } from './input.js';
import { confirmForm, formProblem, message, preferencesForm, type SafeHtml, stateSentence, subscribeForm, unsubscribedPage, unsubscribeForm } from './pages.js';
import { createLimiter } from './rate-limit.js';
import { answersJson, sendPage } from './reply.js';
import { preferencesSchema, signUpSchema } from './schemas.js';
import { isCrossSite } from './same-origin.js';

type TokenQuery = { Querystring: { token?: string } };
type PreferencesPost = TokenQuery & { Body: { topics?: string | string[] } };

export function registerSubscriptionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, config, mailer } = ctx;
  const t = messages(config.site.language, { site: config.site.title });
  const SIGN_UP = { href: '/subscribe', label: t.link_sign_up };
  const perIp = createLimiter(app, ctx.rateLimit);
  // However many addresses an attacker uses, one inbox gets few confirm emails.
  const perAddress = createLimiter(app, { max: 3, windowMs: 60 * 60 * 1000 });

  const html = (reply: FastifyReply, status: number, title: string, body: SafeHtml) => sendPage(reply, config, status, title, body);

  /** Refuses a form another site made the visitor's browser send; true when it answered. */
  const refusedCrossSite = (request: FastifyRequest, reply: FastifyReply, title: string): boolean => {
    if (!isCrossSite(request, config.site.url)) return false;
    html(reply, 403, title, message(t.error_cross_site, { error: true }));
    return true;
  };

  app.get('/subscribe', async (_request, reply) => html(reply, 200, t.title_subscribe, subscribeForm(t, await ctx.issues.topics())));

  // attachValidation: the limit comes first, and a bad field is answered on the form's own page.
  app.post<{ Body: SignUpFields }>('/subscribe', { ...signUpSchema(), attachValidation: true }, async (request, reply) => {
    const json = answersJson(request);
    const fail = (status: number, error: string) =>
      json ? reply.code(status).send({ ok: false, error }) : html(reply, status, t.title_subscribe, subscribeForm(t, [], formProblem(t, error)));

    const wait = await perIp(request, request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return fail(429, t.error_too_many);
    }
    if (request.validationError) return fail(400, request.validationError.message);
    const email = checkEmail(request.body.email);
    if (!email.ok) return fail(400, email.error);
    const name = checkName(request.body.name);
    if (!name.ok) return fail(400, name.error);
    const topics = checkTopics(request.body.topics);
    if (!topics.ok) return fail(400, topics.error);

    let target: Subscriber | null;
    try {
      target = await pendingSubscriber(email.value, name.value, topics.value);
    } catch (err) {
      // The store's address rules are the last word (an address can pass the form's check and fail there).
      if (err instanceof InvalidEmailError) return fail(400, err.message);
      throw err;
    }
    if (target && (await perAddress(request, canonicalAddress(target.email))) === 0) {
      await mailer.send('confirm', { id: target.id, email: target.email, name: target.name });
    }
    // The same answer whatever happened above: known, unknown, active or unsubscribed.
    const text = t.check_inbox;
    return json ? reply.code(202).send({ ok: true, message: text }) : html(reply, 200, t.title_check_inbox, message(text));
  });

  /** The subscriber who should get a confirm email, or null when nobody should. */
  async function pendingSubscriber(email: string, name: string | null, topics: string[]): Promise<Subscriber | null> {
    const existing = await store.findSubscriberByEmail(email);
    if (!existing) {
      try {
        return await store.addSubscriber({ email, name, topics, status: 'pending', source: 'web' }, new Date(ctx.now()));
      } catch (err) {
        if (err instanceof DuplicateSubscriberError) return null; // a concurrent sign-up won the race
        throw err;
      }
    }
    if (existing.status === 'pending') return existing;
    if (existing.status === 'unsubscribed') {
      // Coming back needs a fresh confirmation, like a first sign-up.
      await store.setSubscriberStatus(existing.id, 'pending', new Date(ctx.now()));
      await store.setSubscriberTopics(existing.id, topics);
      return existing;
    }
    return null; // active: nothing to do; bounced/complained: never mail again from a web form
  }

  /** Verifies ?token= for a purpose and loads the subscriber, or answers with a clear page. */
  async function subscriberFor(request: FastifyRequest<TokenQuery>, reply: FastifyReply, purpose: TokenPurpose, title: string) {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    const check = verifyToken(ctx.secret, token, purpose, ctx.now());
    if (!check.ok) {
      const text = check.reason === 'expired' ? t.error_link_expired : t.error_link_invalid;
      html(reply, 400, title, message(text, { error: true, link: SIGN_UP }));
      return null;
    }
    const subscriber = await store.getSubscriber(check.subscriberId);
    return { token, subscriber };
  }

  app.get<TokenQuery>('/confirm', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'confirm', t.title_confirm);
    if (!found) return reply;
    if (found.subscriber?.status === 'pending') return html(reply, 200, t.title_confirm, confirmForm(t, found.token));
    return confirmOutcome(reply, found.subscriber, false);
  });

  app.post<TokenQuery>('/confirm', async (request, reply) => {
    if (refusedCrossSite(request, reply, t.title_confirm)) return reply;
    const found = await subscriberFor(request, reply, 'confirm', t.title_confirm);
    if (!found) return reply;
    let { subscriber } = found;
    if (subscriber?.status === 'pending') {
      // Compare-and-set: of two presses at the same moment only one activates and sends the welcome.
      if (await store.setSubscriberStatus(subscriber.id, 'active', new Date(ctx.now()), 'pending')) {
        await mailer.send('welcome', { id: subscriber.id, email: subscriber.email, name: subscriber.name });
        return confirmOutcome(reply, subscriber, true);
      }
      subscriber = await store.getSubscriber(subscriber.id);
    }
    return confirmOutcome(reply, subscriber, false);
  });

  function confirmOutcome(reply: FastifyReply, subscriber: Subscriber | null, justConfirmed: boolean) {
    if (justConfirmed) return html(reply, 200, t.title_subscribed, message(t.subscribed));
    if (subscriber?.status === 'active') return html(reply, 200, t.title_subscribed, message(t.already_subscribed));
    return html(reply, 400, t.title_confirm, message(t.error_link_used, { error: true, link: SIGN_UP }));
  }

  app.get<TokenQuery>('/unsubscribe', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'unsubscribe', t.title_unsubscribe);
    if (!found) return reply;
    if (!found.subscriber) return html(reply, 200, t.title_unsubscribed, message(t.state_unsubscribed)); // erased: nothing to come back to
    const { status } = found.subscriber;
    if (status === 'unsubscribed') return html(reply, 200, t.title_unsubscribed, unsubscribedPage(t, t.state_unsubscribed, found.token));
    if (status !== 'active' && status !== 'pending') return html(reply, 200, t.title_unsubscribe, message(stateSentence(t, status)));
    return html(reply, 200, t.title_unsubscribe, unsubscribeForm(t, found.token));
  });

  // RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL;
  // the signed token is the only authorisation needed, and repeating it changes nothing.
  app.post<TokenQuery>('/unsubscribe', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'unsubscribe', t.title_unsubscribe);
    if (!found) return reply;
    if (!isOneClick(request.body)) {
      return html(reply, 400, t.title_unsubscribe, message(t.error_one_click, { error: true }));
    }
    const { subscriber } = found;
    if (subscriber && (subscriber.status === 'active' || subscriber.status === 'pending')) {
      await store.setSubscriberStatus(subscriber.id, 'unsubscribed', new Date(ctx.now()));
      ctx.logger.info({ subscriberId: subscriber.id }, 'unsubscribed');
    }
    // The way back only for whom it can bring back (not an erased, bounced or complained address).
    const canComeBack = subscriber && subscriber.status !== 'bounced' && subscriber.status !== 'complained';
    return html(reply, 200, t.title_unsubscribed, canComeBack ? unsubscribedPage(t, t.unsubscribed, found.token) : message(t.unsubscribed));
  });

  // The way back after an unsubscribe, with the same signed unsubscribe token: it was mailed to
  // the address, which is what a confirmation proves, so the reader is active again at once
  // (as Ghost does) instead of waiting for another email. Only `unsubscribed` comes back:
  // bounced and complained addresses are never mailed again from a web page.
  app.post<TokenQuery>('/resubscribe', async (request, reply) => {
    if (refusedCrossSite(request, reply, t.title_unsubscribe)) return reply;
    const found = await subscriberFor(request, reply, 'unsubscribe', t.title_unsubscribe);
    if (!found) return reply;
    const { subscriber } = found;
    if (!subscriber) return html(reply, 404, t.title_unsubscribe, message(t.error_gone, { link: SIGN_UP }));
    if (await store.setSubscriberStatus(subscriber.id, 'active', new Date(ctx.now()), 'unsubscribed')) {
      ctx.logger.info({ subscriberId: subscriber.id }, 'resubscribed');
      const preferences = { href: `/preferences?token=${encodeURIComponent(signToken(ctx.secret, subscriber.id, 'preferences'))}`, label: t.link_preferences };
      return html(reply, 200, t.title_resubscribed, message(t.resubscribed, { link: preferences }));
    }
    const now = (await store.getSubscriber(subscriber.id))?.status ?? 'unsubscribed';
    if (now === 'active') return html(reply, 200, t.title_subscribed, message(t.already_subscribed));
    return html(reply, 409, t.title_unsubscribe, message(stateSentence(t, now), { error: now !== 'pending' }));
  });

  app.get<TokenQuery>('/preferences', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'preferences', t.title_preferences);
    if (!found) return reply;
    if (!found.subscriber) return html(reply, 404, t.title_preferences, message(t.error_gone));
    const s = found.subscriber;
    const unsubscribe = signToken(ctx.secret, s.id, 'unsubscribe');
    return html(
      reply,
      200,
      t.title_preferences,
      preferencesForm(t, { token: found.token, allTopics: await ctx.issues.topics(), chosen: s.topics, status: s.status, unsubscribeToken: unsubscribe }),
    );
  });

  app.post<PreferencesPost>('/preferences', { ...preferencesSchema(), attachValidation: true }, async (request, reply) => {
    if (refusedCrossSite(request, reply, t.title_preferences)) return reply;
    const found = await subscriberFor(request, reply, 'preferences', t.title_preferences);
    if (!found) return reply;
    if (!found.subscriber) return html(reply, 404, t.title_preferences, message(t.error_gone));
    const topics = request.validationError ? { ok: false as const, error: request.validationError.message } : checkTopics(request.body.topics);
    if (!topics.ok) return html(reply, 400, t.title_preferences, message(topics.error, { error: true }));
    await store.setSubscriberTopics(found.subscriber.id, topics.value);
    const keys = normalizeTopics(topics.value);
    const allTopics = await ctx.issues.topics();
    const saved = keys.length === 0 ? t.saved_all : fill(t.saved_topics, { topics: topicLabels(keys, allTopics).join(t.topic_separator) });
    const unsubscribe = signToken(ctx.secret, found.subscriber.id, 'unsubscribe');
    return html(
      reply,
      200,
      t.title_preferences_saved,
      preferencesForm(t, { token: found.token, allTopics, chosen: keys, status: found.subscriber.status, unsubscribeToken: unsubscribe, saved }),
    );
  });
}

/** The RFC 8058 body, form-encoded (parsed to an object) or multipart (kept as text). */
export function isOneClick(body: unknown): boolean {
  if (typeof body === 'string') {
    if (/(^|&)List-Unsubscribe=One-Click(&|$)/.test(body.trim())) return true;
    // multipart/form-data: a part named List-Unsubscribe whose value is One-Click.
    return /name="?List-Unsubscribe"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  }
  const value = field(body, 'List-Unsubscribe');
  return value === 'One-Click' || (Array.isArray(value) && value.includes('One-Click'));
}
