// Announcing stored work on PostgreSQL (store/postgres/announce-work.ts), against a connection whose
// statements finish when the test says: one NOTIFY at a time, and every announce followed by a
// NOTIFY sent after it, however many come while one is on its way.

import { describe, expect, it } from "vitest";
import { createWorkAnnouncer } from "../../confirmation-endpoint/store/postgres/announce-work";
import type { PgConnection } from "../../confirmation-endpoint/store/postgres/connection";

/** A connection that records each statement and leaves it running until `finish` (or `fail`). */
function heldConnection() {
  const sent: { text: string; params: unknown[]; finish: () => void; fail: () => void }[] = [];
  const connection = {
    writeStatement(_what: string, statement: { text: string }, params: unknown[]) {
      return new Promise((resolve, reject) => {
        sent.push({
          text: statement.text,
          params,
          finish: () => resolve([]),
          fail: () => reject(new Error("connection lost")),
        });
      });
    },
  } as unknown as PgConnection;
  return { connection, sent };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("announcing stored work", () => {
  it("sends one NOTIFY on the work channel, without waiting for its commit to be flushed", async () => {
    const { connection, sent } = heldConnection();
    createWorkAnnouncer(connection).announce();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/set_config\('synchronous_commit', 'off', true\), pg_notify\(\$1, ''\)/);
    expect(sent[0]!.params).toEqual(["gateway_work"]);
  });

  it("covers everything announced while one is on its way with exactly one more, sent after it", async () => {
    const { connection, sent } = heldConnection();
    const announcer = createWorkAnnouncer(connection);
    announcer.announce();
    for (let i = 0; i < 5; i++) announcer.announce();
    expect(sent).toHaveLength(1);
    sent[0]!.finish();
    await settle();
    expect(sent).toHaveLength(2);
    sent[1]!.finish();
    await settle();
    // Nothing was announced during the second: no third.
    expect(sent).toHaveLength(2);
    await announcer.idle();
    announcer.announce();
    expect(sent).toHaveLength(3);
  });

  it("goes on after a NOTIFY that failed, and idle waits for the last one", async () => {
    const { connection, sent } = heldConnection();
    const announcer = createWorkAnnouncer(connection);
    announcer.announce();
    announcer.announce();
    let idle = false;
    const waited = announcer.idle().then(() => (idle = true));
    sent[0]!.fail();
    await settle();
    expect(sent).toHaveLength(2);
    expect(idle).toBe(false);
    sent[1]!.finish();
    await waited;
    expect(idle).toBe(true);
  });
});
