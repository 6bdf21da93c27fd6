// Moves a whole store into PostgreSQL: every table of record, row for row (open purchases, open checkouts,
// pending and leased jobs, refunds, dead letters, the seen webhook events that keep replays out).
// Both backends share the schema, so a row is copied column for column; the target's sequences
// are moved past the copied ids. One transaction on the target: a copy lands whole or not at all.
// Run it with every endpoint instance stopped, so nothing is written to the source meanwhile.

import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { KitError } from "../../common/kit-error";
import type { Row } from "./rows";
import { openPgConnection } from "./postgres/connection";
import type { Sql } from "./postgres/connection";
import { openSqliteStore } from "./sqlite-store";
import { describeStore } from "./store-url";
import type { PostgresStoreConfig, StoreConfig } from "./store-url";

/**
 * Parents before children (checkout references purchase). Not copied: dataverse_user_hold, the
 * throttling holds instances share; a hold lasts seconds to minutes, and the copy runs with every
 * instance stopped, so the first 429 after the move writes it again.
 */
export const STORE_TABLES = [
  "purchase",
  "checkout",
  "payment",
  "webhook_event",
  "outbox",
  "refund",
  "dead_letter",
] as const;
export type StoreTable = (typeof STORE_TABLES)[number];

/** A copy that would mix two stores' rows, or a source or target it cannot use. */
export class StoreCopyError extends KitError {
  override readonly name = "StoreCopyError";
  readonly code: "STORE_NOT_EMPTY" | "STORE_COPY_REFUSED";

  constructor(code: StoreCopyError["code"], message: string, hint: string) {
    super(message, { hint });
    this.code = code;
  }
}

const BATCH_ROWS = 500;

/** Every row of `table`: in the order written (rowid), or key order for a table stored by its key. */
function selectAll(db: Database.Database, table: string): string {
  const byKey = db
    .prepare(`SELECT 1 FROM sqlite_schema WHERE name = ? AND sql LIKE '%WITHOUT ROWID%'`)
    .get(table);
  return `SELECT * FROM ${table}${byKey ? "" : " ORDER BY rowid"}`;
}

/** Every row of every table of `from`, in table order. */
async function readAll(from: StoreConfig): Promise<Map<StoreTable, Row[]>> {
  const tables = new Map<StoreTable, Row[]>();
  if (from.kind === "sqlite") {
    if (!existsSync(from.path)) {
      throw new StoreCopyError("STORE_COPY_REFUSED", `No SQLite store at ${from.path}.`, "Check --from.");
    }
    // Opening through the store brings an older file up to the current schema first.
    await openSqliteStore(from.path).close();
    const db = new Database(from.path, { readonly: true });
    try {
      for (const t of STORE_TABLES) tables.set(t, db.prepare(selectAll(db, t)).all() as Row[]);
    } finally {
      db.close();
    }
    return tables;
  }
  const c = openPgConnection(from);
  try {
    for (const t of STORE_TABLES) {
      tables.set(t, await c.read(`read ${t}`, async (sql) => (await sql(`SELECT * FROM ${t}`)).rows));
    }
  } finally {
    await c.close();
  }
  return tables;
}

async function insertRows(sql: Sql, table: StoreTable, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    const batch = rows.slice(i, i + BATCH_ROWS);
    const columns = Object.keys(batch[0]!);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const slots = columns.map((col) => {
        params.push(row[col] ?? null);
        return `$${params.length}`;
      });
      return `(${slots.join(", ")})`;
    });
    await sql(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, params);
  }
}

async function countRows(sql: Sql): Promise<number> {
  const counts = STORE_TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(" + ");
  return (await sql(`SELECT ${counts} AS n`)).rows[0]!.n as number;
}

/**
 * Copy every table of `from` into the PostgreSQL store `to` (migrated first). A target that holds
 * rows is refused unless `replace` empties it first. Resolves to the rows copied per table.
 */
export async function copyStore(
  from: StoreConfig,
  to: PostgresStoreConfig,
  options: { replace: boolean; progress: (line: string) => void },
): Promise<Record<StoreTable, number>> {
  if (from.kind === "postgres" && from.url === to.url) {
    throw new StoreCopyError(
      "STORE_COPY_REFUSED",
      "--from and --to name the same store.",
      "Name two stores.",
    );
  }
  options.progress(`reading ${describeStore(from)}`);
  const tables = await readAll(from);
  const target = openPgConnection(to);
  const copied = {} as Record<StoreTable, number>;
  try {
    await target.write("copy the store", async (sql) => {
      if ((await countRows(sql)) > 0) {
        if (!options.replace) {
          throw new StoreCopyError(
            "STORE_NOT_EMPTY",
            `${describeStore(to)} already holds payment rows; copying would mix two stores.`,
            "Copy into an empty database, or pass --replace to empty the target first.",
          );
        }
        options.progress(`emptying ${describeStore(to)}`);
        await sql(`TRUNCATE ${STORE_TABLES.join(", ")} RESTART IDENTITY`);
      }
      for (const t of STORE_TABLES) {
        const rows = tables.get(t) ?? [];
        await insertRows(sql, t, rows);
        copied[t] = rows.length;
        options.progress(`copied ${t}: ${rows.length} row(s)`);
      }
      for (const t of ["outbox", "dead_letter"]) {
        await sql(
          `SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`,
        );
      }
    });
  } finally {
    await target.close();
  }
  return copied;
}
