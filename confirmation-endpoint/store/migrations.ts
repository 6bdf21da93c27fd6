// The versioned SQLite schema (spec §4.1). Each migration runs once, in order, recorded in
// schema_migrations; a database newer than this code is refused rather than guessed at.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "payment tables",
    sql: `
CREATE TABLE purchase (
  purchase_id TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  readable_event_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  event_name TEXT,
  attendees_json TEXT NOT NULL,
  expected_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  t0 INTEGER NOT NULL,
  t0_source TEXT NOT NULL,
  deadline_at INTEGER NOT NULL,
  guard_at INTEGER NOT NULL,
  close_at INTEGER NOT NULL,
  return_origin TEXT NOT NULL,
  state TEXT NOT NULL,
  winning_payment_id TEXT,
  finalize_attempts INTEGER NOT NULL DEFAULT 0,
  finalize_in_flight INTEGER NOT NULL DEFAULT 0,
  finalize_ambiguous INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE checkout (
  purchase_id TEXT NOT NULL REFERENCES purchase(purchase_id),
  attempt INTEGER NOT NULL,
  provider TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  provider_session_id TEXT,
  redirect_url TEXT,
  expires_at INTEGER,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (purchase_id, attempt)
);
CREATE INDEX checkout_session ON checkout(provider_session_id);
CREATE TABLE payment (
  provider TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  purchase_id TEXT,
  provider_session_id TEXT,
  amount_minor INTEGER,
  currency TEXT,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (provider, provider_payment_id)
);
CREATE INDEX payment_purchase ON payment(purchase_id);
CREATE TABLE webhook_event (
  provider TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  type TEXT NOT NULL,
  signal TEXT NOT NULL,
  purchase_id TEXT,
  provider_payment_id TEXT,
  provider_session_id TEXT,
  live INTEGER NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (provider, dedupe_key)
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe TEXT NOT NULL UNIQUE,
  purchase_id TEXT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  rearm INTEGER NOT NULL DEFAULT 0,
  locked_by TEXT,
  locked_until INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, not_before);
CREATE TABLE refund (
  refund_key TEXT PRIMARY KEY,
  purchase_id TEXT,
  provider TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  provider_refund_id TEXT,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  state TEXT NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE dead_letter (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  purchase_id TEXT,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT,
  created_at INTEGER NOT NULL,
  resolved_at INTEGER
);
`,
  },
  {
    version: 2,
    name: "outbox indexes for claiming under load",
    // Claiming looks up other leased jobs of the same purchase and due finalize jobs first; without
    // these, every claim scanned the whole outbox, which grows by two rows per paid purchase.
    sql: `
CREATE INDEX outbox_purchase ON outbox(purchase_id, state);
CREATE INDEX outbox_due_kind ON outbox(state, kind, not_before);
`,
  },
  {
    version: 3,
    name: "the provider of the winning payment",
    // Several providers can serve one endpoint: a refund of the winning payment must go to the
    // provider that took it. Rows from before keep NULL (they were all the configured provider's).
    sql: `ALTER TABLE purchase ADD COLUMN winning_provider TEXT;`,
  },
  {
    version: 4,
    name: "the portal's confirmation page path",
    // The page tells the endpoint where the portal's confirmation page is (a site may move it); the
    // status answer's confirmation URL uses it. NULL: the Event Portal's default path.
    sql: `ALTER TABLE purchase ADD COLUMN confirmation_path TEXT;`,
  },
  {
    version: 5,
    name: "requested refunds: the person's reason and who asked",
    // `npm run refund` records the words given with --reason and who ran it; the kit's own refunds
    // leave both NULL. A reconcile period reads purchases by when they last changed.
    sql: `
ALTER TABLE refund ADD COLUMN note TEXT;
ALTER TABLE refund ADD COLUMN requested_by TEXT;
CREATE INDEX refund_payment ON refund(provider, provider_payment_id);
CREATE INDEX purchase_updated ON purchase(updated_at);
`,
  },
  {
    version: 6,
    name: "index only leased jobs by purchase",
    // Claiming asks whether another job of the same purchase is leased; only leased jobs need to be
    // found by purchase. Indexing every job by its purchase id (random keys) cost every webhook a
    // write to one more scattered page. Retention (prune.ts) reads pending jobs through outbox_due.
    sql: `
DROP INDEX outbox_purchase;
CREATE INDEX outbox_leased_purchase ON outbox(purchase_id) WHERE locked_until IS NOT NULL;
`,
  },
  {
    version: 7,
    name: "webhook events and payments stored by their key",
    // Both are only ever found by their primary key (or, payments, by purchase): stored in the key's
    // own b-tree (WITHOUT ROWID), a webhook's commit writes two pages fewer, and with FULL sync every
    // page of a commit is written and flushed before the provider gets its 2xx.
    sql: `
CREATE TABLE webhook_event_by_key (
  provider TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  type TEXT NOT NULL,
  signal TEXT NOT NULL,
  purchase_id TEXT,
  provider_payment_id TEXT,
  provider_session_id TEXT,
  live INTEGER NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (provider, dedupe_key)
) WITHOUT ROWID;
INSERT INTO webhook_event_by_key SELECT provider, dedupe_key, type, signal, purchase_id, provider_payment_id,
  provider_session_id, live, occurred_at, received_at, outcome FROM webhook_event;
DROP TABLE webhook_event;
ALTER TABLE webhook_event_by_key RENAME TO webhook_event;
CREATE TABLE payment_by_key (
  provider TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  purchase_id TEXT,
  provider_session_id TEXT,
  amount_minor INTEGER,
  currency TEXT,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (provider, provider_payment_id)
) WITHOUT ROWID;
INSERT INTO payment_by_key SELECT provider, provider_payment_id, purchase_id, provider_session_id, amount_minor,
  currency, state, created_at, updated_at FROM payment;
DROP TABLE payment;
ALTER TABLE payment_by_key RENAME TO payment;
CREATE INDEX payment_purchase ON payment(purchase_id);
`,
  },
  {
    version: 8,
    name: "Dataverse throttling holds shared by the instances",
    // One row per application user: the latest time until which Dataverse holds it after a 429
    // (epoch ms), so every instance using that user waits it out instead of lengthening it.
    sql: `
CREATE TABLE dataverse_user_hold (
  user_key TEXT PRIMARY KEY,
  held_until INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
];
