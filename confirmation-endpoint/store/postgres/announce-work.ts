// Announcing stored jobs to the workers of every instance, once the transaction that stored them
// has committed (a webhook's statement, an enqueued job, a requested refund).
//
// PostgreSQL makes every transaction that sent a NOTIFY commit one at a time: it takes a
// cluster-wide lock before committing and lets it go only after the commit is flushed
// (src/backend/commands/async.c, PreCommit_Notify). With the NOTIFY inside each webhook's statement,
// the webhooks' commits queued for that lock and each waited for its own flush of the log, instead
// of sharing one flush as commits arriving together otherwise do. So the store's transactions store
// only, and the store announces afterwards, on its own:
// - in a transaction of its own that does not wait for its commit to be flushed (a NOTIFY lost to
//   a crash costs nothing: polling is the workers' safety net), so the lock is held for an instant;
// - at most one at a time per store: jobs that commit while one announcement is on its way are
//   covered by one more, sent once it is done, so every stored job is followed by a NOTIFY sent
//   after its commit, however many arrive.

import type { NamedStatement, PgConnection } from "./connection";
import { WORK_CHANNEL } from "./outbox";

const ANNOUNCE: NamedStatement = {
  name: "announce_work",
  text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`,
};

export interface WorkAnnouncer {
  /** Work has committed: wake the workers of every instance (soon; never waited for by the caller). */
  announce(): void;
  /** Settles once no announcement is on its way (before the pool closes). */
  idle(): Promise<void>;
}

export function createWorkAnnouncer(c: PgConnection): WorkAnnouncer {
  let sending: Promise<void> | null = null;
  let again = false;

  function send(): Promise<void> {
    again = false;
    return (
      c
        .writeStatement("announce stored work", ANNOUNCE, [WORK_CHANNEL])
        // Not sent: the workers find the work at their next poll.
        .catch(() => undefined)
        .then(() => {
          sending = again ? send() : null;
        })
    );
  }

  return {
    announce() {
      if (sending) again = true;
      else sending = send();
    },
    async idle() {
      while (sending) await sending;
    },
  };
}
