// Visitor-facing routes: double opt-in sign-up, confirm, one-click unsubscribe (RFC 8058) and
// topic preferences. Links carry signed tokens (src/email/tokens.ts); nothing here trusts an
// address or id from the request without one. Opening a link (GET, HEAD) never changes anything:
// mail scanners fetch every link in a message; a person presses a button (POST).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalAddress } from '../domain/address.js';
import { normalizeTopics, topicLabels } from '../domain/topics.js';
import { signToken, verifyToken, type TokenPurpose } from '../email/tokens.js';
import { DuplicateSubscriberError, InvalidEmailError, type Subscriber } from '../storage/store.js';
import type { ServerContext } from './context.js';
import { checkEmail, checkName, checkTopics, field, type SignUpFields } from './input.js';
import { confirmForm, message, preferencesForm, type SafeHtml, statusLine, subscribeForm, unsubscribeForm } from './pages.js';
import { createLimiter } from './rate-limit.js';
import { answersJson, sendPage } from './reply.js';
import { preferencesSchema, signUpSchema } from './schemas.js';
import { isCrossSite } from './same-origin.js';

type TokenQuery = { Querystring: { token?: string } };
type PreferencesPost = TokenQuery & { Body: { topics?: string | string[] } };

const SIGN_UP = { href: '/subscribe', label: 'Sign up' };

export function registerSubscriptionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, config, mailer } = ctx;
  const perIp = createLimiter(app, ctx.rateLimit);
  // However many addresses an attacker uses, one inbox gets few confirm emails.
  const perAddress = createLimiter(app, { max: 3, windowMs: 60 * 60 * 1000 });

  const html = (reply: FastifyReply, status: number, title: string, body: SafeHtml) => sendPage(reply, config, status, title, body);

  /** Refuses a form another site made the visitor's browser send; true when it answered. */
  const refusedCrossSite = (request: FastifyRequest, reply: FastifyReply, title: string): boolean => {
    if (!isCrossSite(request, config.site.url)) return false;
    html(reply, 403, title, message('This form was sent from another site. Open the link from your email and press the button there.', { error: true }));
    return true;
  };

  app.get('/subscribe', async (_request, reply) => html(reply, 200, 'Subscribe', subscribeForm(await ctx.issues.topics())));

  // attachValidation: the limit comes first, and a bad field is answered on the form's own page.
  app.post<{ Body: SignUpFields }>('/subscribe', { ...signUpSchema(), attachValidation: true }, async (request, reply) => {
    const json = answersJson(request);
    const fail = (status: number, error: string) => (json ? reply.code(status).send({ ok: false, error }) : html(reply, status, 'Subscribe', subscribeForm([], error)));

    const wait = await perIp(request, request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return fail(429, 'Too many sign-ups from your address; please try again later.');
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
    const text = 'Thanks! Please check your inbox and click the link in the email to confirm your subscription.';
    return json ? reply.code(202).send({ ok: true, message: text }) : html(reply, 200, 'Check your inbox', message(text));
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
      const text =
        check.reason === 'expired'
          ? 'This link has expired. Please sign up again to get a new one.'
          : 'This link is not valid. Please use the latest link from your email, or sign up again.';
      html(reply, 400, title, message(text, { error: true, link: SIGN_UP }));
      return null;
    }
    const subscriber = await store.getSubscriber(check.subscriberId);
    return { token, subscriber };
  }

  app.get<TokenQuery>('/confirm', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'confirm', 'Confirm your subscription');
    if (!found) return reply;
    if (found.subscriber?.status === 'pending') return html(reply, 200, 'Confirm your subscription', confirmForm(found.token));
    return confirmOutcome(reply, found.subscriber, false);
  });

  app.post<TokenQuery>('/confirm', async (request, reply) => {
    if (refusedCrossSite(request, reply, 'Confirm your subscription')) return reply;
    const found = await subscriberFor(request, reply, 'confirm', 'Confirm your subscription');
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
    if (justConfirmed) return html(reply, 200, 'Subscription confirmed', statusLine('You are subscribed. Status: ', 'active'));
    if (subscriber?.status === 'active') {
      return html(reply, 200, 'Subscription confirmed', statusLine('You were already subscribed. Status: ', 'active'));
    }
    return html(reply, 400, 'Confirm your subscription', message('This link is no longer valid. Please sign up again.', { error: true, link: SIGN_UP }));
  }

  app.get<TokenQuery>('/unsubscribe', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'unsubscribe', 'Unsubscribe');
    if (!found) return reply;
    const status = found.subscriber?.status ?? 'unsubscribed';
    if (status === 'unsubscribed') return html(reply, 200, 'Unsubscribe', statusLine('You are ', 'unsubscribed', '.'));
    return html(reply, 200, 'Unsubscribe', unsubscribeForm(found.token));
  });

  // RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL;
  // the signed token is the only authorisation needed, and repeating it changes nothing.
  app.post<TokenQuery>('/unsubscribe', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'unsubscribe', 'Unsubscribe');
    if (!found) return reply;
    if (!isOneClick(request.body)) {
      return html(reply, 400, 'Unsubscribe', message('Expected the form field List-Unsubscribe=One-Click.', { error: true }));
    }
    const { subscriber } = found;
    if (subscriber && (subscriber.status === 'active' || subscriber.status === 'pending')) {
      await store.setSubscriberStatus(subscriber.id, 'unsubscribed', new Date(ctx.now()));
      ctx.logger.info({ subscriberId: subscriber.id }, 'unsubscribed');
    }
    return html(reply, 200, 'Unsubscribed', statusLine('You are ', 'unsubscribed', '. You will not receive further issues.'));
  });

  app.get<TokenQuery>('/preferences', async (request, reply) => {
    const found = await subscriberFor(request, reply, 'preferences', 'Preferences');
    if (!found) return reply;
    if (!found.subscriber) return html(reply, 404, 'Preferences', message('This subscription no longer exists.'));
    const s = found.subscriber;
    const unsubscribe = signToken(ctx.secret, s.id, 'unsubscribe');
    return html(reply, 200, 'Preferences', preferencesForm(found.token, await ctx.issues.topics(), s.topics, s.status, unsubscribe));
  });

  app.post<PreferencesPost>('/preferences', { ...preferencesSchema(), attachValidation: true }, async (request, reply) => {
    if (refusedCrossSite(request, reply, 'Preferences')) return reply;
    const found = await subscriberFor(request, reply, 'preferences', 'Preferences');
    if (!found) return reply;
    if (!found.subscriber) return html(reply, 404, 'Preferences', message('This subscription no longer exists.'));
    const topics = request.validationError ? { ok: false as const, error: request.validationError.message } : checkTopics(request.body.topics);
    if (!topics.ok) return html(reply, 400, 'Preferences', message(topics.error, { error: true }));
    await store.setSubscriberTopics(found.subscriber.id, topics.value);
    const keys = normalizeTopics(topics.value);
    const allTopics = await ctx.issues.topics();
    const saved = keys.length === 0 ? 'every topic' : topicLabels(keys, allTopics).join(', ');
    const unsubscribe = signToken(ctx.secret, found.subscriber.id, 'unsubscribe');
    return html(reply, 200, 'Preferences saved', preferencesForm(found.token, allTopics, keys, found.subscriber.status, unsubscribe, saved));
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
