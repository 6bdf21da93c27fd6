// The floor of webhook ingest (issue 22, item 1): the least any correct Stripe webhook receiver on
// this runtime and disk must do. A bare node:http server that reads the raw body, checks the
// Stripe-Signature with the kit's own check (the same HMAC, tolerance and secrets), takes the event
// id from the JSON, and commits one row per event with the kit's durability (SQLite WAL,
// synchronous=FULL) and group commit (events arriving in one turn of the event loop share one
// transaction, hence one fsync), then answers 200. Nothing else: no routing, no Web Request, no
// logging, no metrics, no payment row or job. The ingest benchmark sets the kit beside it.
//
// With FLOOR_DEPTH=route it answers 200 once the event is verified and parsed, committing nothing:
// the floor of figure 1b's --depth route.
//
//   FLOOR_SECRET=whsec_… FLOOR_DB=/tmp/floor.sqlite node floor-receiver.mjs    (prints its URL)
// (ingest-floor.ts runs an esbuild bundle of this file with plain node, like the endpoint's)

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { verifyStripeSignature } from "../../../confirmation-endpoint/providers/stripe/signature";

const HELP = `Usage: FLOOR_SECRET=whsec_… FLOOR_DB=<file> [FLOOR_DEPTH=route] node floor-receiver.mjs [--help]

The floor baseline of the ingest benchmark: verify a Stripe webhook, commit one row durably (WAL,
synchronous=FULL, group commit), answer 200. Prints its URL (127.0.0.1, a free port) on stdout.
FLOOR_DEPTH=route: answer 200 once the webhook is verified and parsed, without committing it.
`;

const MAX_BODY = 256 * 1024;

function main(): void {
  if (process.argv.includes("--help")) {
    process.stdout.write(HELP);
    return;
  }
  const secret = process.env.FLOOR_SECRET;
  const path = process.env.FLOOR_DB;
  if (!secret || !path) {
    process.stderr.write(
      "floor-receiver: set FLOOR_SECRET (the whsec_ secret) and FLOOR_DB (a SQLite file).\n",
    );
    process.exitCode = 1;
    return;
  }
  const commitRows = process.env.FLOOR_DEPTH !== "route";
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE IF NOT EXISTS event (id TEXT PRIMARY KEY, type TEXT, received_at INTEGER)");
  const insert = db.prepare(
    "INSERT INTO event (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  let batch: Array<{ id: string; type: string; done: (ok: boolean) => void }> = [];
  const commit = db.transaction((rows: typeof batch) => {
    const now = Date.now();
    for (const row of rows) insert.run(row.id, row.type, now);
  });
  const flush = () => {
    const rows = batch;
    batch = [];
    let ok = true;
    try {
      commit.immediate(rows);
    } catch {
      ok = false;
    }
    for (const row of rows) row.done(ok);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      const answer = (status: number) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? '{"received":true}' : '{"error":true}');
      };
      if (size > MAX_BODY) return answer(413);
      const body = Buffer.concat(chunks, size);
      let event: { id?: unknown; type?: unknown };
      try {
        verifyStripeSignature({
          header: (req.headers["stripe-signature"] as string | undefined) ?? null,
          body,
          secrets: [secret],
          now: new Date(),
        });
        event = JSON.parse(body.toString("utf8")) as typeof event;
      } catch {
        return answer(400);
      }
      if (typeof event.id !== "string") return answer(400);
      if (!commitRows) return answer(200);
      batch.push({ id: event.id, type: String(event.type), done: (ok) => answer(ok ? 200 : 503) });
      if (batch.length === 1) setImmediate(flush);
    });
  });
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
  const stop = () => server.close(() => db.close());
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main();
