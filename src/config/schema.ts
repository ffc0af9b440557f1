// The one definition of Pressroom's settings: their types, constraints and defaults. `Config` is
// inferred from it; the file schema (pressroom.config.json) is derived from it; the environment
// table (env.ts) names a path in it for each variable.
import { z } from 'zod';

/** The pino levels PRESSROOM_LOG_LEVEL may name. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A listening port; 0 = any free port (the service then uses the one it got). */
const portSchema = z.number().int().min(0).max(65535);

/** The site URL when none is configured names this port (see localSiteUrl). */
const DEFAULT_PORT = 8080;

/** What is wrong with a site URL (said after the quoted value), or null: absolute, http or https. */
function siteUrlProblem(url: string): string | null {
  if (!URL.canParse(url)) return 'is not an absolute URL (expected e.g. https://news.example.org/)';
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:' ? null : 'must be http or https';
}

const author = z.object({
  name: z.string().min(1),
  email: z.string().optional(),
  url: z.string().optional(),
});

const site = z
  .object({
    title: z.string().min(1).default('Pressroom'),
    /** Always ends with '/'. Unset anywhere, the loader derives it from the port (localSiteUrl). */
    url: z
      .string()
      .superRefine((url, ctx) => {
        const problem = siteUrlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default(`http://localhost:${DEFAULT_PORT}/`),
    description: z.string().default(''),
    language: z.string().min(2).default('en'),
    timeZone: z.string().min(1).default('UTC'),
    author: author.default({ name: 'Pressroom' }),
    feedItems: z.number().int().positive().default(20),
  })
  .prefault({});

const DEFAULT_SUBJECT = '{{ title }}';

const email = z
  .object({
    fromName: z.string().default('Pressroom'),
    fromAddress: z.string().default('newsletter@localhost'),
    replyTo: z.string().optional(),
    /** A Liquid pattern; empty means the default too. */
    subject: z
      .string()
      .transform((pattern) => pattern || DEFAULT_SUBJECT)
      .default(DEFAULT_SUBJECT),
    postalAddress: z.string().default(''),
    listId: z.string().default('newsletter.localhost'),
    feedbackId: z.string().default('newsletter:pressroom'),
    unsubscribeMailto: z.string().optional(),
    /** The VERP return path (src/email/verp.ts): issue mail leaves as `<local>+<token>@<domain>`. Unset = fromAddress. */
    bounceAddress: z.string().optional(),
    /** A path: relative to the file it is written in (defaults: to the working directory). */
    templatesDir: z.string().default('emails'),
    /** An issue whose send time (`send_at`, else `date`) is further in the past than this is not mailed
     * by the worker (a restored backup, a worker that was down); `pressroom send` still sends it. 0 = no limit. */
    maxLatenessHours: z.number().nonnegative().default(48),
    /** privateKeyPath is checked when the configuration loads (a readable RSA private key). */
    dkim: z.object({ domain: z.string(), selector: z.string(), privateKeyPath: z.string() }).optional(),
  })
  .prefault({});

const smtp = z
  .object({
    maxConnections: z.number().int().positive().default(5),
    /** Messages per second; see rateLimitScope. Unset = no limit. */
    rateLimit: z.number().positive().optional(),
    /** 'campaign': rateLimit holds for each campaign across every worker sharing the store (a token
     * bucket in the store); 'process': each process sends at up to rateLimit on its own. */
    rateLimitScope: z.enum(['campaign', 'process']).default('campaign'),
    maxAttempts: z.number().int().positive().default(5),
    batchSize: z.number().int().positive().default(500),
    /** How long a worker holds claimed rows (ledger and system mail) before another may take them;
     * must exceed the longest SMTP send (checked at load). 30 minutes: twice the longest send with
     * the default timeouts (2 min up to the final dot + the 10 min RFC 5321 wait for the answer),
     * so that no message starts closer to its lease's end than it may take: 12 min 5 s of margin,
     * 17 min 55 s of each lease to start messages in. */
    leaseSeconds: z.number().positive().default(1800),
    /** Delay before the 2nd attempt of a confirm/welcome email; doubles per attempt. */
    systemRetrySeconds: z.number().positive().default(30),
  })
  .prefault({});

/** A fraction of the messages sent (0.05 = 5%). */
const rate = z.number().min(0).max(1);

/** What bounces do (src/storage/core/feedback.ts) and when they stop a campaign (automatic pause). */
const bounce = z
  .object({
    /** This many soft bounces of one subscriber within softWindowDays make it bounced. */
    softLimit: z.number().int().positive().default(3),
    softWindowDays: z.number().positive().default(30),
    /** A campaign pauses itself when its hard-bounce rate passes this, once it has sent minSample messages. */
    pauseAbove: rate.default(0.05),
    minSample: z.number().int().positive().default(500),
  })
  .prefault({});

const complaint = z
  .object({
    /** A campaign pauses itself when its complaint rate passes this (Gmail and Yahoo ask for under 0.3%). */
    pauseAbove: rate.default(0.001),
  })
  .prefault({});

/** Reading bounces and complaints back: the SMTP receiver for the bounce domain and the IMAP poller (src/inbound/). */
const inbound = z
  .object({
    /** Unset = no receiver inside `pressroom start` (`pressroom inbound` then listens on 2525). */
    port: portSchema.optional(),
    host: z.string().min(1).default('127.0.0.1'),
    /** Larger messages are refused at DATA (a DSN or ARF report is a few KB; the original message is cut by the reporter). */
    maxMessageBytes: z.number().int().positive().default(1_048_576),
    /** Attribute a report without a VERP token of ours by the address it names. Off: anyone can send our MX a bounce naming any address. */
    trustReportedAddresses: z.boolean().default(false),
    /** imaps://user:password@imap.example.org/INBOX: the mailbox the bounce address delivers to. */
    imapUrl: z.string().optional(),
    imapPollSeconds: z.number().positive().default(60),
    /** Processed messages are moved here; unset = they stay, flagged \Seen and $PressroomProcessed. */
    imapMoveTo: z.string().optional(),
  })
  .prefault({});

/** Provider webhooks under /webhooks/<provider> (src/webhooks/): each is off until its secret is set. */
const webhooks = z
  .object({
    /** Amazon SES through SNS: the topic ARNs whose signed notifications are accepted. */
    sesTopicArns: z.array(z.string().min(1)).optional(),
    /** Postmark: the password of the webhook's basic auth credentials (user `pressroom`). */
    postmarkToken: z.string().optional(),
    /** Mailgun: the HTTP webhook signing key. */
    mailgunSigningKey: z.string().optional(),
    /** SendGrid: the signed event webhook's verification key (base64 DER public key, as SendGrid shows it). */
    sendgridPublicKey: z.string().optional(),
    /** Signed requests older (or newer) than this are refused as replays. */
    maxAgeSeconds: z.number().positive().default(300),
  })
  .prefault({});

/** The operator's own endpoint for outbound events, signed per Standard Webhooks (src/webhooks/outbound/). */
const events = z
  .object({
    /** Where every event is POSTed; unset = events are kept for retentionDays and not sent. */
    url: z.string().optional(),
    /** The signing secret, `whsec_` + base64 of 24 to 64 random bytes (the Standard Webhooks format). */
    secret: z.string().optional(),
    /** Delivered and given-up events (and, with no url, every event) are deleted after this many days. */
    retentionDays: z.number().int().positive().default(30),
    /** One request's time limit; a slower endpoint is retried like one that is down. */
    timeoutSeconds: z.number().positive().max(120).default(10),
  })
  .prefault({});

/** Feed settings beyond the site's: WebSub hubs (src/feeds/websub.ts). */
const feeds = z
  .object({
    /** Hubs named in every feed (rel="hub") and pinged after a build that changed a feed. */
    websubHubs: z.array(z.string()).default([]),
  })
  .prefault({});

/** Proxies whose X-Forwarded-For is believed: false = none, n = n hops, or their addresses/CIDRs. */
const trustProxy = z.union([z.literal(false), z.number().int().min(0), z.array(z.string())]);

export const configSchema = z.object({
  site,
  issuesDir: z.string().default('issues'),
  outDir: z.string().default('public'),
  dataDir: z.string().default('data'),
  /** Unset = SQLite in the data folder. */
  databaseUrl: z.string().optional(),
  /** Unset = the outbox folder (development only). */
  smtpUrl: z.string().optional(),
  port: portSchema.default(DEFAULT_PORT),
  adminToken: z.string().optional(),
  /** Bearer token for /metrics (the admin token works too). */
  metricsToken: z.string().optional(),
  /** /metrics without a token, on purpose (it tells how many subscribers each status has). */
  metricsPublic: z.boolean().optional(),
  secret: z.string().optional(),
  schedule: z.string().default('*/5 * * * *'),
  /** How often an idle worker looks for campaigns with rows to send; 0 = schedule only. */
  pollSeconds: z.number().min(0).default(10),
  feeds,
  email,
  smtp,
  bounce,
  complaint,
  inbound,
  webhooks,
  events,
  // Settings of the process rather than of the site: environment and flags only (not in the file).
  /** Address the HTTP server listens on. */
  host: z.string().min(1).default('127.0.0.1'),
  trustProxy: trustProxy.default(false),
  /** Name of this process in the ledger; unset = `<command>@<hostname>` (see delivery/worker-id.ts). */
  workerId: z.string().optional(),
  logLevel: z.enum(LOG_LEVELS, { error: `is not a log level (expected one of ${LOG_LEVELS.join(', ')})` }).default('info'),
  /**
   * NODE_ENV=production or `--production`: nothing falls back to a development default that
   * silently changes behaviour (e.g. no SMTP_URL means no transport, not the outbox folder).
   */
  production: z.boolean().default(false),
});

export type Config = z.infer<typeof configSchema>;

/** Top-level settings that only the environment and flags set: pressroom.config.json refuses them. */
const PROCESS_SETTINGS = { host: true, trustProxy: true, workerId: true, logLevel: true, production: true } as const;

/** Settings in pressroom.config.json whose relative paths are relative to the file. */
export const PATH_SETTINGS = ['issuesDir', 'outDir', 'dataDir', 'email.templatesDir', 'email.dkim.privateKeyPath'] as const;

/**
 * pressroom.config.json: every setting optional, nothing defaulted (a missing value falls through
 * to the environment's or the default), unknown top-level keys refused.
 */
export const fileSchema = (withoutDefaults(configSchema.omit(PROCESS_SETTINGS)) as z.ZodObject).strict();

/** What one source (file, environment, flags) sets: any top-level setting, and any key of a section. */
export type ConfigLayer = { [K in keyof Config]?: Config[K] extends Record<string, unknown> ? Partial<Config[K]> : Config[K] };

/** The sections whose keys are set one by one (every other setting is replaced whole). */
export const SECTIONS = ['site', 'feeds', 'email', 'smtp', 'bounce', 'complaint', 'inbound', 'webhooks', 'events'] as const;

/**
 * The same schema with every default removed and every key optional: the root and its sections
 * (site, email, smtp) key by key; a value inside a section (site.author, email.dkim) stays whole.
 */
function withoutDefaults(schema: z.ZodType, section = true): z.ZodType {
  if (schema instanceof z.ZodPrefault) return withoutDefaults(schema.unwrap() as z.ZodType, true);
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return withoutDefaults(schema.unwrap() as z.ZodType, false);
  if (section && schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) shape[key] = withoutDefaults(field, false).optional();
    return z.object(shape);
  }
  return schema;
}

/** The schema of one setting, by its dotted path ('smtp.leaseSeconds'), without its default. */
export function settingSchema(dotted: string): z.ZodType {
  let schema: z.ZodType = configSchema;
  for (const key of dotted.split('.')) {
    const object = unwrapAll(schema);
    if (!(object instanceof z.ZodObject)) throw new Error(`no setting ${dotted}`);
    const field = (object.shape as Record<string, z.ZodType | undefined>)[key];
    if (!field) throw new Error(`no setting ${dotted}`);
    schema = field;
  }
  return unwrapAll(schema);
}

function unwrapAll(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}
