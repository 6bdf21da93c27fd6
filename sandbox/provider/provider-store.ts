// The stand-in's state in SQLite (better-sqlite3 v12): a file so a restart keeps it, or ":memory:".
// Objects are kept as JSON beside the few columns the lists and timers query.
import Database from "better-sqlite3";
import type { EventObject, StoredKind } from "./objects";

export type DeliveryState = "none" | "pending" | "succeeded" | "failed";

export interface StoredEvent {
  event: EventObject;
  delivery: DeliveryState;
}

export interface DeliveryRow {
  id: number;
  eventId: string;
  eventType: string;
  series: number;
  attempt: number;
  url: string | null;
  status: number | null;
  error: string | null;
  startedAt: number;
  durationMs: number;
}

export interface IdempotentResponse {
  route: string;
  fingerprint: string;
  status: number;
  body: string;
}

export interface PageRequest {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

export interface EventFilter {
  types?: string[] | undefined;
  createdGt?: number | undefined;
  createdGte?: number | undefined;
  createdLt?: number | undefined;
  createdLte?: number | undefined;
  deliverySuccess?: boolean | undefined;
}

export interface ProviderStore {
  transaction<T>(fn: () => T): T;
  insertObject(
    kind: StoredKind,
    id: string,
    body: unknown,
    columns?: { status?: string | null; due?: number | null; ref?: string | null },
  ): void;
  updateObject(
    id: string,
    body: unknown,
    columns?: { status?: string | null; due?: number | null; ref?: string | null },
  ): void;
  getObject<T>(kind: StoredKind, id: string): T | undefined;
  listObjects<T>(
    kind: StoredKind,
    page: PageRequest,
    ref?: string,
    created?: CreatedRange,
  ): { data: T[]; hasMore: boolean } | "unknown_cursor";
  allObjects<T>(kind: StoredKind, limit: number): T[];
  dueObjectIds(kind: StoredKind, status: string, nowSeconds: number): string[];
  insertEvent(event: EventObject, delivery: DeliveryState): void;
  getEvent(id: string): StoredEvent | undefined;
  listEvents(
    filter: EventFilter,
    page: PageRequest,
  ): { data: StoredEvent[]; hasMore: boolean } | "unknown_cursor";
  setEventDelivery(id: string, state: DeliveryState): void;
  /** Events whose delivery was still pending (e.g. when the process stopped), oldest first. */
  pendingEvents(): EventObject[];
  recordDelivery(row: Omit<DeliveryRow, "id" | "eventType">): void;
  listDeliveries(limit: number): DeliveryRow[];
  getIdempotent(key: string): IdempotentResponse | undefined;
  putIdempotent(key: string, response: IdempotentResponse, createdSeconds: number): void;
  close(): void;
}

/** Stripe's created filter on a list, in seconds. */
export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  status TEXT,
  due INTEGER,
  ref TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_kind ON objects(kind, seq);
CREATE INDEX IF NOT EXISTS objects_due ON objects(kind, status, due);
CREATE INDEX IF NOT EXISTS objects_ref ON objects(kind, ref);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  created INTEGER NOT NULL,
  delivery TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type ON events(type, seq);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  series INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  url TEXT,
  status INTEGER,
  error TEXT,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  route TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created INTEGER NOT NULL
);
`;

interface ObjectRow {
  seq: number;
  body: string;
}
interface EventRow {
  seq: number;
  body: string;
  delivery: DeliveryState;
}

function withPendingCount(row: EventRow): StoredEvent {
  const event = JSON.parse(row.body) as EventObject;
  event.pending_webhooks = row.delivery === "pending" || row.delivery === "failed" ? 1 : 0;
  return { event, delivery: row.delivery };
}

type Db = InstanceType<typeof Database>;

/** One page of rows, newest first, after or before a cursor object (Stripe's list paging). */
function pageRows<R extends { seq: number }>(
  db: Db,
  baseSql: string,
  args: unknown[],
  request: PageRequest,
  seqOf: (id: string) => number | undefined,
): { rows: R[]; hasMore: boolean } | "unknown_cursor" {
  const limit = request.limit;
  if (request.endingBefore !== undefined) {
    const seq = seqOf(request.endingBefore);
    if (seq === undefined) return "unknown_cursor";
    const rows = db
      .prepare(`${baseSql} AND seq > ? ORDER BY seq ASC LIMIT ?`)
      .all(...args, seq, limit + 1) as R[];
    const hasMore = rows.length > limit;
    return { rows: rows.slice(0, limit).reverse(), hasMore };
  }
  let sql = baseSql;
  const params = [...args];
  if (request.startingAfter !== undefined) {
    const seq = seqOf(request.startingAfter);
    if (seq === undefined) return "unknown_cursor";
    sql += " AND seq < ?";
    params.push(seq);
  }
  const rows = db.prepare(`${sql} ORDER BY seq DESC LIMIT ?`).all(...params, limit + 1) as R[];
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

type ObjectMethods = Pick<
  ProviderStore,
  "insertObject" | "updateObject" | "getObject" | "listObjects" | "allObjects" | "dueObjectIds"
>;

function objectTable(db: Db): ObjectMethods {
  const insertObject = db.prepare(
    "INSERT INTO objects (id, kind, status, due, ref, body) VALUES (@id, @kind, @status, @due, @ref, @body)",
  );
  const updateObject = db.prepare(
    "UPDATE objects SET body = @body, status = COALESCE(@status, status), due = CASE WHEN @setDue = 1 THEN @due ELSE due END, ref = COALESCE(@ref, ref) WHERE id = @id",
  );
  const getObject = db.prepare<[string, string], { body: string }>(
    "SELECT body FROM objects WHERE kind = ? AND id = ?",
  );
  const seqOfObject = db.prepare<[string, string], { seq: number }>(
    "SELECT seq FROM objects WHERE kind = ? AND id = ?",
  );
  const dueObjects = db.prepare<[string, string, number], { id: string }>(
    "SELECT id FROM objects WHERE kind = ? AND status = ? AND due IS NOT NULL AND due <= ? ORDER BY due, seq",
  );
  return {
    insertObject(kind, id, body, columns = {}) {
      const { status = null, due = null, ref = null } = columns;
      insertObject.run({ id, kind, status, due, ref, body: JSON.stringify(body) });
    },
    updateObject(id, body, columns = {}) {
      updateObject.run({
        id,
        body: JSON.stringify(body),
        status: columns.status ?? null,
        setDue: columns.due === undefined ? 0 : 1,
        due: columns.due ?? null,
        ref: columns.ref ?? null,
      });
    },
    getObject<T>(kind: StoredKind, id: string): T | undefined {
      const row = getObject.get(kind, id);
      return row === undefined ? undefined : (JSON.parse(row.body) as T);
    },
    listObjects<T>(kind: StoredKind, request: PageRequest, ref?: string, created: CreatedRange = {}) {
      const args: unknown[] = [kind];
      let sql = "SELECT seq, body FROM objects WHERE kind = ?";
      if (ref !== undefined) {
        sql += " AND ref = ?";
        args.push(ref);
      }
      // Stripe's created[gt|gte|lt|lte] on the object's own `created` (seconds).
      for (const [key, op] of [
        ["gt", ">"],
        ["gte", ">="],
        ["lt", "<"],
        ["lte", "<="],
      ] as const) {
        const bound = created[key];
        if (bound === undefined) continue;
        sql += ` AND json_extract(body, '$.created') ${op} ?`;
        args.push(bound);
      }
      const result = pageRows<ObjectRow>(db, sql, args, request, (id) => seqOfObject.get(kind, id)?.seq);
      if (result === "unknown_cursor") return result;
      return { data: result.rows.map((row) => JSON.parse(row.body) as T), hasMore: result.hasMore };
    },
    allObjects<T>(kind: StoredKind, limit: number): T[] {
      const rows = db
        .prepare<[string, number], ObjectRow>(
          "SELECT seq, body FROM objects WHERE kind = ? ORDER BY seq DESC LIMIT ?",
        )
        .all(kind, limit);
      return rows.map((row) => JSON.parse(row.body) as T);
    },
    dueObjectIds(kind, status, nowSeconds) {
      return dueObjects.all(kind, status, nowSeconds).map((row) => row.id);
    },
  };
}

/** The WHERE clauses of GET /v1/events: types (with trailing-* prefixes), created ranges, delivery. */
function eventFilterSql(filter: EventFilter): { sql: string; args: unknown[] } {
  let sql = "SELECT seq, body, delivery FROM events WHERE 1 = 1";
  const args: unknown[] = [];
  if (filter.types !== undefined && filter.types.length > 0) {
    const clauses = filter.types.map((type) => {
      if (type.endsWith("*")) {
        args.push(`${type.slice(0, -1)}%`);
        return "type LIKE ?";
      }
      args.push(type);
      return "type = ?";
    });
    sql += ` AND (${clauses.join(" OR ")})`;
  }
  const ranges: Array<[number | undefined, string]> = [
    [filter.createdGt, ">"],
    [filter.createdGte, ">="],
    [filter.createdLt, "<"],
    [filter.createdLte, "<="],
  ];
  for (const [value, op] of ranges) {
    if (value === undefined) continue;
    sql += ` AND created ${op} ?`;
    args.push(value);
  }
  if (filter.deliverySuccess === true) sql += " AND delivery IN ('succeeded', 'none')";
  if (filter.deliverySuccess === false) sql += " AND delivery IN ('pending', 'failed')";
  return { sql, args };
}

type EventMethods = Pick<
  ProviderStore,
  | "insertEvent"
  | "getEvent"
  | "listEvents"
  | "setEventDelivery"
  | "pendingEvents"
  | "recordDelivery"
  | "listDeliveries"
>;

function eventTable(db: Db): EventMethods {
  const insertEvent = db.prepare(
    "INSERT INTO events (id, type, created, delivery, body) VALUES (@id, @type, @created, @delivery, @body)",
  );
  const getEvent = db.prepare<[string], EventRow>("SELECT seq, body, delivery FROM events WHERE id = ?");
  const setDelivery = db.prepare<[string, string]>("UPDATE events SET delivery = ? WHERE id = ?");
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (event_id, series, attempt, url, status, error, started_at, duration_ms)
     VALUES (@eventId, @series, @attempt, @url, @status, @error, @startedAt, @durationMs)`,
  );
  const listDeliveries = db.prepare<[number], DeliveryRow>(
    `SELECT d.id, d.event_id AS eventId, COALESCE(e.type, '') AS eventType, d.series, d.attempt, d.url, d.status,
            d.error, d.started_at AS startedAt, d.duration_ms AS durationMs
     FROM deliveries d LEFT JOIN events e ON e.id = d.event_id ORDER BY d.id DESC LIMIT ?`,
  );
  return {
    insertEvent(event, delivery) {
      const { id, type, created } = event;
      insertEvent.run({ id, type, created, delivery, body: JSON.stringify(event) });
    },
    getEvent(id) {
      const row = getEvent.get(id);
      return row === undefined ? undefined : withPendingCount(row);
    },
    listEvents(filter, request) {
      const { sql, args } = eventFilterSql(filter);
      const result = pageRows<EventRow>(db, sql, args, request, (id) => getEvent.get(id)?.seq);
      if (result === "unknown_cursor") return result;
      return { data: result.rows.map(withPendingCount), hasMore: result.hasMore };
    },
    setEventDelivery(id, state) {
      setDelivery.run(state, id);
    },
    pendingEvents() {
      const rows = db
        .prepare<[], EventRow>(
          "SELECT seq, body, delivery FROM events WHERE delivery = 'pending' ORDER BY seq",
        )
        .all();
      return rows.map((row) => withPendingCount(row).event);
    },
    recordDelivery(row) {
      insertDelivery.run(row);
    },
    listDeliveries(limit) {
      return listDeliveries.all(limit);
    },
  };
}

export function openProviderStore(dbPath = ":memory:"): ProviderStore {
  const db = new Database(dbPath);
  if (dbPath !== ":memory:") {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  }
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  const getIdempotent = db.prepare<[string], IdempotentResponse>(
    "SELECT route, fingerprint, status, body FROM idempotency WHERE key = ?",
  );
  const putIdempotent = db.prepare(
    "INSERT OR IGNORE INTO idempotency (key, route, fingerprint, status, body, created) VALUES (@key, @route, @fingerprint, @status, @body, @created)",
  );
  return {
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    ...objectTable(db),
    ...eventTable(db),
    getIdempotent(key) {
      return getIdempotent.get(key);
    },
    putIdempotent(key, response, createdSeconds) {
      putIdempotent.run({ key, ...response, created: createdSeconds });
    },
    close() {
      db.close();
    },
  };
}
