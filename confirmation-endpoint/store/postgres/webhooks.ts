// Webhooks on PostgreSQL: a delivery is stored by ONE statement, which PostgreSQL runs as its own
// transaction, so storing it costs one round trip to the server instead of five (BEGIN, the event,
// the payment, the job, COMMIT), and the server parses it once per connection (a prepared
// statement). The statement inserts the delivery's events; for those that were new (and only those)
// it inserts the payments they report and upserts their jobs with the outbox's one enqueue rule
// (outbox.ts), and says how many jobs it stored: the store then announces them to the workers of
// every instance (announce-work.ts; a NOTIFY inside this statement would make webhooks commit one at
// a time). The same event sent to two instances at once is stored once: the second insert waits on
// the first one's key, then finds it taken and counts a duplicate.
//
// Deliveries are not grouped into one statement: a statement cannot keep one delivery's failure
// from undoing another's, and PostgreSQL already lets commits that arrive together on several
// connections share a flush of its log.

import type { PlannedEvent } from "../../lifecycle/plan-event";
import type { WebhookOutcome } from "../types";
import type { NamedStatement, PgConnection } from "./connection";
import { upsertJobsFrom } from "./outbox";

// The parameters: $1 the delivery's events (each key once), $2 the payments they report, $3 the
// jobs planned for them (each a JSON array of rows; `ord` is the event's place in the delivery,
// `seq` a job's place among the delivery's jobs), $4 the time of the call.
const STORE_DELIVERY: NamedStatement = {
  name: "store_webhook_delivery",
  text: `
WITH incoming_event AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(ord int, provider text, dedupe_key text, type text,
    signal text, purchase_id text, provider_payment_id text, provider_session_id text, live smallint,
    occurred_at bigint)
),
-- Only the events not seen before come back; a key another transaction is inserting waits for it.
-- In key order (as the payments and jobs below): two instances storing the same events take their
-- keys in one order, so they queue instead of deadlocking.
new_event AS (
  INSERT INTO webhook_event (provider, dedupe_key, type, signal, purchase_id, provider_payment_id,
    provider_session_id, live, occurred_at, received_at, outcome)
  SELECT provider, dedupe_key, type, signal, purchase_id, provider_payment_id, provider_session_id, live,
    occurred_at, $4::bigint, 'stored'
  FROM incoming_event ORDER BY provider, dedupe_key
  ON CONFLICT DO NOTHING
  RETURNING provider, dedupe_key
),
new_ord AS (
  SELECT i.ord FROM incoming_event i JOIN new_event n USING (provider, dedupe_key)
),
-- A reported payment is never overwritten; of two new events reporting one payment, the first one's.
reported_payment AS (
  INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor,
    currency, state, created_at, updated_at)
  SELECT DISTINCT ON (provider, provider_payment_id) provider, provider_payment_id, purchase_id,
    provider_session_id, amount_minor, currency, 'reported', $4::bigint, $4::bigint
  FROM jsonb_to_recordset($2::jsonb) AS p(ord int, provider text, provider_payment_id text,
    purchase_id text, provider_session_id text, amount_minor bigint, currency text)
  WHERE p.ord IN (SELECT ord FROM new_ord)
  ORDER BY provider, provider_payment_id, ord
  ON CONFLICT DO NOTHING
),
new_job AS (
  SELECT j.* FROM jsonb_to_recordset($3::jsonb) AS j(ord int, seq int, dedupe text, purchase_id text,
    kind text, payload text, not_before bigint)
  WHERE j.ord IN (SELECT ord FROM new_ord)
),
enqueued AS (
  ${upsertJobsFrom("new_job", "$4::bigint")}
  RETURNING 1
)
SELECT (SELECT count(*) FROM new_event) AS stored, (SELECT count(*) FROM enqueued) AS enqueued`,
};

/** The statement's three row sets for a delivery's events, each event once (the first of its key). */
function deliveryRows(planned: PlannedEvent[]) {
  const events: object[] = [];
  const payments: object[] = [];
  const jobs: object[] = [];
  const seen = new Set<string>();
  planned.forEach(({ event: e, reportedPayment: r, jobs: planJobs }, ord) => {
    // The key is unambiguous: JSON quotes each part.
    const key = JSON.stringify([e.provider, e.dedupeKey]);
    if (seen.has(key)) return;
    seen.add(key);
    events.push({
      ord,
      provider: e.provider,
      dedupe_key: e.dedupeKey,
      type: e.type,
      signal: e.signal,
      purchase_id: e.purchaseId,
      provider_payment_id: e.providerPaymentId,
      provider_session_id: e.providerSessionId,
      live: e.live ? 1 : 0,
      occurred_at: e.occurredAt.getTime(),
    });
    if (r) {
      payments.push({
        ord,
        provider: r.provider,
        provider_payment_id: r.providerPaymentId,
        purchase_id: r.purchaseId,
        provider_session_id: r.providerSessionId,
        amount_minor: r.amountMinor,
        currency: r.currency,
      });
    }
    for (const j of planJobs) {
      // The payload as the text enqueue stores (a JSON string inside the JSON row).
      const payload = JSON.stringify(j.payload);
      const seq = jobs.length;
      jobs.push({
        ord,
        seq,
        dedupe: j.dedupe,
        purchase_id: j.purchaseId,
        kind: j.kind,
        payload,
        not_before: j.notBefore,
      });
    }
  });
  return { events, payments, jobs };
}

/** Store a delivery; `announce` is called once it has committed, when it stored a job. */
export async function storeEvents(
  c: PgConnection,
  planned: PlannedEvent[],
  now: number,
  announce: () => void,
): Promise<WebhookOutcome> {
  if (planned.length === 0) return { stored: 0, duplicates: 0 };
  const { events, payments, jobs } = deliveryRows(planned);
  const [row] = await c.writeStatement("store webhooks", STORE_DELIVERY, [
    JSON.stringify(events),
    JSON.stringify(payments),
    JSON.stringify(jobs),
    now,
  ]);
  if (Number(row?.enqueued ?? 0) > 0) announce();
  const stored = Number(row?.stored ?? 0);
  return { stored, duplicates: planned.length - stored };
}
