// POST /webhooks/<provider>: bounces and complaints that Amazon SES (through SNS), Postmark,
// Mailgun and SendGrid report. Each route exists only when its setting is set (else a plain 404).
// Signatures are checked over the raw body bytes, so these routes, and only these, take every
// body as a Buffer. A refused request (bad signature, stale timestamp, replay, unknown topic)
// gets one warn line naming the provider and why, and records nothing; a verified one is read by
// its provider module into FeedbackEvents and recorded (src/feedback/record.ts) before the 200,
// so a store failure is a 500 the provider retries. Replays of a recorded event change nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { feedbackPolicy } from '../domain/feedback.js';
import { type FeedbackTally, recordFeedbackEvents } from '../feedback/record.js';
import { tokenMatches } from '../server/auth.js';
import type { ServerContext } from '../server/context.js';
import { type HttpGet, httpGet } from './http-get.js';
import { type MailgunSignature, mailgunEvents, mailgunSignature, mailgunSignatureValid } from './mailgun.js';
import { PayloadError, parseJson, type Verdict } from './payload.js';
import { POSTMARK_USER, postmarkEvents } from './postmark.js';
import { RecentTokens, timestampFresh } from './replay.js';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, sendgridEvents, sendgridKey, sendgridSignatureValid } from './sendgrid.js';
import { SnsHandler } from './sns-handler.js';

/** A batch of provider events is a few hundred KB at most (SendGrid posts up to a few thousand events). */
const MAX_BODY_BYTES = 1024 * 1024;

type Provider = 'ses' | 'postmark' | 'mailgun' | 'sendgrid';

type Handler = (request: FastifyRequest, raw: Buffer, now: Date) => Verdict | Promise<Verdict>;

export interface WebhookOptions {
  /** How the SES webhook fetches certificates and confirms subscriptions; default: fetch (https only, SNS hosts only). */
  httpGet?: HttpGet;
}

export async function registerWebhookRoutes(app: FastifyInstance, ctx: ServerContext, options: WebhookOptions = {}): Promise<void> {
  const handlers = webhookHandlers(ctx, options);
  if (handlers.size === 0) return;
  await app.register(
    async (hooks) => {
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
      for (const [provider, handler] of handlers) hooks.post(`/${provider}`, { bodyLimit: MAX_BODY_BYTES }, (request, reply) => answer(ctx, provider, handler, request, reply));
    },
    { prefix: '/webhooks' },
  );
}

function webhookHandlers(ctx: ServerContext, options: WebhookOptions): Map<Provider, Handler> {
  const settings = ctx.config.webhooks;
  const maxAge = settings.maxAgeSeconds;
  const handlers = new Map<Provider, Handler>();

  if (settings.sesTopicArns?.length) {
    const sns = new SnsHandler(new Set(settings.sesTopicArns), ctx.secret, options.httpGet ?? httpGet);
    handlers.set('ses', (_request, raw, now) => sns.handle(raw, now));
  }

  const postmarkToken = settings.postmarkToken;
  if (postmarkToken) {
    handlers.set('postmark', (request, raw, now) => {
      if (!basicAuthMatches(request, POSTMARK_USER, postmarkToken))
        return { refuse: 401, why: 'missing or wrong basic auth credentials', challenge: 'Basic realm="pressroom webhooks"' };
      return { reading: postmarkEvents(parseJson(raw), raw.toString('utf8'), now) };
    });
  }

  const mailgunKey = settings.mailgunSigningKey;
  if (mailgunKey) {
    const seen = new RecentTokens(maxAge * 1000);
    handlers.set('mailgun', (_request, raw, now) => {
      const payload = parseJson(raw);
      let signature: MailgunSignature;
      try {
        signature = mailgunSignature(payload);
      } catch (err) {
        if (err instanceof PayloadError) return { refuse: 401, why: `unsigned (${err.message})` };
        throw err;
      }
      if (!mailgunSignatureValid(mailgunKey, signature)) return { refuse: 401, why: 'bad signature' };
      if (!timestampFresh(signature.timestamp, now.getTime(), maxAge)) return { refuse: 403, why: `timestamp further than webhooks.maxAgeSeconds (${maxAge} s) from now` };
      if (!seen.claim(signature.token, now.getTime())) return { refuse: 403, why: 'token seen before (a replay)' };
      const undo = () => seen.release(signature.token);
      try {
        return { reading: mailgunEvents(payload, now), undo };
      } catch (err) {
        undo();
        throw err;
      }
    });
  }

  if (settings.sendgridPublicKey) {
    const key = sendgridKey(settings.sendgridPublicKey);
    handlers.set('sendgrid', (request, raw, now) => {
      const signature = header(request, SENDGRID_SIGNATURE_HEADER);
      const timestamp = header(request, SENDGRID_TIMESTAMP_HEADER);
      if (!signature || !timestamp) return { refuse: 401, why: 'no signature or timestamp header' };
      if (!sendgridSignatureValid(key, timestamp, raw, signature)) return { refuse: 401, why: 'bad signature' };
      if (!timestampFresh(timestamp, now.getTime(), maxAge)) return { refuse: 403, why: `timestamp further than webhooks.maxAgeSeconds (${maxAge} s) from now` };
      return { reading: sendgridEvents(parseJson(raw), now) };
    });
  }
  return handlers;
}

async function answer(ctx: ServerContext, provider: Provider, handler: Handler, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const log = ctx.logger;
  const now = new Date(ctx.now());
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  let verdict: Verdict;
  try {
    verdict = await handler(request, raw, now);
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    log.warn({ provider }, `webhook ${provider}: refused, ${err.message}; nothing recorded`);
    return reply.code(400).send({ error: err.message });
  }
  if ('refuse' in verdict) {
    log.warn({ provider, status: verdict.refuse }, `webhook ${provider}: refused, ${verdict.why}; nothing recorded`);
    if (verdict.challenge) reply.header('www-authenticate', verdict.challenge);
    return reply.code(verdict.refuse).send({ error: verdict.why });
  }
  if ('answered' in verdict) {
    log.info({ provider }, `webhook ${provider}: ${verdict.answered}`);
    return reply.send({ ok: true });
  }
  const { events, ignored, problems } = verdict.reading;
  for (const problem of problems) log.warn({ provider }, `webhook ${provider}: ${problem}`);
  if (ignored.length > 0) log.debug({ provider, ignored: ignored.length }, `webhook ${provider}: ignored ${ignored.join(', ')}`);
  let tally: FeedbackTally;
  try {
    tally = await recordFeedbackEvents(ctx.store, events, feedbackPolicy(ctx.config), log, now);
  } catch (err) {
    verdict.undo?.(); // the provider's retry must not be taken for a replay
    throw err;
  }
  return reply.send({ ok: true, ...tally, ignored: ignored.length });
}

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `Authorization: Basic base64(user:password)`; user and password both compared in constant time. */
function basicAuthMatches(request: FastifyRequest, user: string, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = tokenMatches(decoded.slice(0, colon), user);
  const passwordOk = tokenMatches(decoded.slice(colon + 1), password);
  return userOk && passwordOk;
}
