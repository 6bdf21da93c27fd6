// The versioned PostgreSQL schema: the same tables, columns and versions as SQLite's
// (../migrations.ts), so one row mapping (../rows.ts) reads both and `npm run store -- copy` moves
// rows as they are. Times are epoch milliseconds (BIGINT), flags 0/1 (SMALLINT).
// `additive` marks a migration older code can keep running against (a new column or index it
// does not read): instances still on the previous release stay up during a rolling deploy.

export interface PgMigration {
  version: number;
  name: string;
  additive: boolean;
  sql: string;
}

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    name: "payment tables",
    additive: false,
    sql: `
CREATE TABLE purchase (
  purchase_id TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  readable_event_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  event_name TEXT,
  attendees_json TEXT NOT NULL,
  expected_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  t0 BIGINT NOT NULL,
  t0_source TEXT NOT NULL,
  deadline_at BIGINT NOT NULL,
  guard_at BIGINT NOT NULL,
  close_at BIGINT NOT NULL,
  return_origin TEXT NOT NULL,
  state TEXT NOT NULL,
  winning_payment_id TEXT,
  finalize_attempts INTEGER NOT NULL DEFAULT 0,
  finalize_in_flight SMALLINT NOT NULL DEFAULT 0,
  finalize_ambiguous SMALLINT NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE checkout (
  purchase_id TEXT NOT NULL REFERENCES purchase(purchase_id),
  attempt INTEGER NOT NULL,
  provider TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  provider_session_id TEXT,
  redirect_url TEXT,
  expires_at BIGINT,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (purchase_id, attempt)
);
CREATE INDEX checkout_session ON checkout(provider_session_id);
CREATE TABLE payment (
  provider TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  purchase_id TEXT,
  provider_session_id TEXT,
  amount_minor BIGINT,
  currency TEXT,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
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
  live SMALLINT NOT NULL,
  occurred_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (provider, dedupe_key)
);
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  dedupe TEXT NOT NULL UNIQUE,
  purchase_id TEXT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  rearm SMALLINT NOT NULL DEFAULT 0,
  locked_by TEXT,
  locked_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, not_before);
CREATE TABLE refund (
  refund_key TEXT PRIMARY KEY,
  purchase_id TEXT,
  provider TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  provider_refund_id TEXT,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  state TEXT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE dead_letter (
  id BIGSERIAL PRIMARY KEY,
  purchase_id TEXT,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT,
  created_at BIGINT NOT NULL,
  resolved_at BIGINT
);
`,
  },
  {
    version: 2,
    name: "outbox indexes for claiming under load",
    additive: true,
    sql: `
CREATE INDEX outbox_purchase ON outbox(purchase_id, state);
CREATE INDEX outbox_due_kind ON outbox(state, kind, not_before);
`,
  },
  {
    version: 3,
    name: "the provider of the winning payment",
    additive: true,
    sql: `ALTER TABLE purchase ADD COLUMN winning_provider TEXT;`,
  },
  {
    version: 4,
    name: "the portal's confirmation page path",
    additive: true,
    sql: `ALTER TABLE purchase ADD COLUMN confirmation_path TEXT;`,
  },
  {
    version: 5,
    name: "requested refunds: the person's reason and who asked",
    additive: true,
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
    name: "Dataverse throttling holds shared by the instances",
    // A new table older code never reads: instances on the previous release keep running.
    additive: true,
    sql: `
CREATE TABLE dataverse_user_hold (
  user_key TEXT PRIMARY KEY,
  held_until BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
];
