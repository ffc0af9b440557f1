// The dialect layer: what the storage core needs from a database, and the little that SQLite and
// PostgreSQL really spell differently. The subscriber, campaign, ledger and system-mail rules
// (src/storage/core/*.ts) are written once over this, in SQL both databases accept, with
// PostgreSQL-style placeholders ($1, $2, ... ; SQLite binds them as named parameters).
//
// Values: pass Dates for timestamps and booleans for flags (SQLite stores them as ISO text and
// 0/1); epoch-millisecond columns are plain numbers in both.
import type { DeliveryRow } from '../ledger-rows.js';
import type { SystemMailRow } from '../system-mail-rows.js';
import type { SubscriberStatus } from '../store.js';

export type Params = readonly unknown[];

/** Runs statements: on the connection, or inside one transaction. */
export interface Sql {
  all<R>(text: string, params?: Params): Promise<R[]>;
  one<R>(text: string, params?: Params): Promise<R | undefined>;
  /** Returns the number of rows changed. */
  run(text: string, params?: Params): Promise<number>;
}

/** The SQL that differs between the two databases, spliced into the shared statements. */
export interface SqlFragments {
  /** The id of a new subscriber (SQLite: above every id ever handed out, migration 6; PostgreSQL: the identity column). */
  readonly newSubscriberId: string;
  /** Whether a subscriber's topics (`column`) are empty or share one with the topic list `param`. */
  topicsMatch(column: string, param: string): string;
  /** Whether `column` is one of the ids in the list `param`. */
  idIn(column: string, param: string): string;
  /** Whether `column` is one of the strings in the list `param`. */
  textIn(column: string, param: string): string;
  /** Whether the topic list `column` names the topic `param`. */
  hasTopic(column: string, param: string): string;
  /**
   * `expr` such that no index serves a comparison with it (SQLite's unary +), for a statement that
   * must be driven by another index. Absent where the planner has statistics to choose by itself.
   */
  readonly unindexed?: (expr: string) => string;
  /** `expr` compared byte by byte, as the prefix indexes of migration 12 are built (PostgreSQL's default collation is not). */
  bytewise(expr: string): string;
  /** Row locks for a read-then-write inside a transaction ('' where the transaction already serialises writers). */
  readonly forUpdate: string;
}

/** A new subscriber's column values, validated and normalised (src/storage/core/subscribers.ts). */
export interface SubscriberValues {
  email: string;
  emailKey: string;
  name: string | null;
  status: SubscriberStatus;
  topics: string[];
  confirmedAt: Date | null;
  source: string | null;
}

export interface ClaimRequest {
  workerId: string;
  limit: number;
  now: number;
  leaseUntil: number;
}

export interface BucketRequest {
  campaignId: number;
  want: number;
  rate: number;
  burst: number;
  /** Epoch ms, or null for the database's own clock. */
  now: number | null;
}

export interface Dialect extends Sql {
  /** The file or server, for one-line errors. */
  readonly where: string;
  readonly fragments: SqlFragments;
  /** A topic list or an id list as a statement parameter (JSON text for SQLite, an array for PostgreSQL). */
  list(values: readonly (string | number)[]): unknown;
  /**
   * BEGIN ... COMMIT (ROLLBACK on a throw). SQLite: BEGIN IMMEDIATE, so writers serialise at the
   * start. `snapshot`: a read-only transaction that sees one consistent state.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>, options?: { snapshot?: boolean }): Promise<T>;

  // Hand-written per dialect, where the spelling is the point (speed, locking).
  /** Inserts new subscribers in one transaction, skipping duplicate keys; returns how many were added. */
  insertSubscribers(rows: readonly SubscriberValues[], createdAt: Date): Promise<number>;
  /** Moves up to `limit` claimable ledger rows of the campaign to `sending` (one attempt counted) and returns them. */
  claimDeliveries(campaignId: number, claim: ClaimRequest): Promise<DeliveryRow[]>;
  /** markSent for many rows of one campaign, all or none. */
  markSentMany(campaignId: number, marks: ReadonlyArray<{ subscriberId: number; smtpCode: number | null; smtpResponse: string | null }>): Promise<void>;
  /** Like claimDeliveries for the system mail queue. */
  claimSystemMail(claim: ClaimRequest): Promise<SystemMailRow[]>;
  /** Like claimSystemMail for the outbound event queue (core/events.ts reads the rows). */
  claimWebhookEvents(claim: ClaimRequest): Promise<unknown[]>;
  /** The token bucket's refill-and-take, in one atomic statement. */
  takeTokens(bucket: BucketRequest): Promise<{ granted: number; tokens: number }>;
  /** After an erasure: make sure the old bytes are gone where the dialect can (SQLite: empty the WAL). */
  purgeFreedPages(): Promise<void>;
}

/** A statement built from the dialect's fragments, built once per dialect. */
export function withFragments(build: (f: SqlFragments) => string): (f: SqlFragments) => string {
  const built = new WeakMap<SqlFragments, string>();
  return (f) => {
    let text = built.get(f);
    if (text === undefined) {
      text = build(f);
      built.set(f, text);
    }
    return text;
  };
}
