// A pool of PostgreSQL connections (node-postgres), sized from STORE_POOL_SIZE, TLS from sslmode,
// migrated before the first statement runs. Every write is one transaction on one pooled client;
// a deadlock or serialization failure (another instance touched the same rows) is retried a few
// times before it becomes a StoreError. Statements are prepared once per connection (the server
// then spends about a third less CPU on them; docs/benchmarks.md); one that went stale under a
// newer instance's migration costs its connection and runs again on another. node-postgres itself
// is imported on the first open (as a package, so a bundler leaves it out of the bundle): an
// endpoint on SQLite never loads it.

import { readFileSync } from "node:fs";
import type pg from "pg";
import type { ClientConfig, PoolClient } from "pg";
import type { ConnectionOptions } from "node:tls";
import { isKitError } from "../../../common/kit-error";
import { StoreError } from "../../errors";
import type { Row } from "../rows";
import type { PostgresStoreConfig } from "../store-url";
import { migrate } from "./migrate";
import type { MigrateResult } from "./migrate";

/** One statement: its rows and how many rows it touched. */
export type Sql = (text: string, params?: unknown[]) => Promise<{ rows: Row[]; rowCount: number }>;

/** node-postgres's module, as `import pg from "pg"` gives it. */
export type PgModule = typeof pg;

let pgModule: Promise<PgModule> | null = null;

/** node-postgres, imported once, on the first call. */
export function loadPg(): Promise<PgModule> {
  pgModule ??= import("pg").then((m) => m.default);
  return pgModule;
}

/** A statement sent on its own, prepared once per connection under `name` (its text never changes). */
export interface NamedStatement {
  name: string;
  text: string;
}

export interface PgConnection {
  /** A dedicated client (the LISTEN connection), configured as the pool's are; not yet connected. */
  newClient(): Promise<pg.Client>;
  /** Settles once the schema is current: what this open applied, or the StoreError it met. */
  readonly migrated: Promise<MigrateResult>;
  /** One transaction; the conflict errors of the contract pass through, anything else is a StoreError. */
  write<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  read<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * One statement as its own transaction (autocommit): one round trip, no BEGIN and COMMIT, durable
   * once it resolves; retried and reported like `write`.
   */
  writeStatement(what: string, statement: NamedStatement, params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const RETRIED_CODES = new Set(["40P01", "40001"]);
const ATTEMPTS = 3;
/**
 * What a statement prepared on a connection meets once another instance has changed the columns
 * it returns (an additive migration during a rolling upgrade: "cached plan must not change result
 * type"). That connection is dropped and the work runs again on another, fresh or not yet stale.
 * Its code (0A000) is the whole "feature not supported" class; the server function that raised it
 * (or, from a server that does not name it, the message) tells this one apart.
 */
function isStalePlan(error: unknown): boolean {
  const { code, routine, message } = error as { code?: string; routine?: string; message?: string };
  if (code !== "0A000") return false;
  return routine !== undefined
    ? routine === "RevalidateCachedQuery"
    : (message ?? "").includes("cached plan must not change result type");
}
const INT8_OID = 20;

/** node-postgres options for a store config: TLS as libpq's sslmode means it (withInt8AsNumber adds the types). */
export function toClientConfig(config: PostgresStoreConfig): ClientConfig {
  // Fields, not connectionString: node-postgres lets the string override an explicit password.
  const url = new URL(config.url);
  const password = url.password ? decodeURIComponent(url.password) : config.password;
  return {
    host: decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.slice(1)),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(password !== null ? { password } : {}),
    application_name: url.searchParams.get("application_name") ?? "event-portal-gateway",
    ssl: toTls(config.ssl),
    connectionTimeoutMillis: 10_000,
  };
}

/** The same options with int8 read as a number: epoch milliseconds and counts are BIGINT, well inside Number's exact range. */
export function withInt8AsNumber(clientConfig: ClientConfig, pgm: PgModule): ClientConfig {
  return {
    ...clientConfig,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pgm.types.getTypeParser(oid, format)) as typeof pgm.types.getTypeParser,
    },
  };
}

function toTls(ssl: PostgresStoreConfig["ssl"]): false | ConnectionOptions {
  const ca = ssl.rootCertPath ? readFileSync(ssl.rootCertPath, "utf8") : undefined;
  switch (ssl.mode) {
    case "disable":
    case "allow":
    case "prefer":
      // node-postgres cannot fall back between plain and TLS: these connect without TLS.
      return false;
    case "require":
      // libpq verifies the chain in "require" when a root certificate is given.
      return ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...(ca ? { ca } : {}) };
    case "verify-full":
      return { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  }
}

// Every statement the store sends is prepared once per connection under a name of its text: the
// server then skips parsing it again (and, after a few runs, planning it). The texts are a fixed
// set written in the code (values always travel as parameters), so the names stay few.
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `store_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

function toSql(client: PoolClient): Sql {
  return async (text, params) => {
    const result = await client.query({ name: statementName(text), text, values: params ?? [] });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  };
}

function storeError(what: string, error: unknown): unknown {
  // The kit's own errors (a stale lease, a version conflict, a refused copy) keep their meaning.
  if (isKitError(error)) return error;
  return new StoreError(`Store could not ${what}: ${(error as Error).message}`, error);
}

/** Load node-postgres and migrate on the first connection; every statement of the store waits for it. */
function migrateOnOpen(opened: Promise<pg.Pool>): Promise<MigrateResult> {
  const migrated = (async () => {
    const client = await (await opened).connect();
    try {
      return await migrate(client);
    } finally {
      client.release();
    }
  })().catch((error: unknown) => {
    throw new StoreError(
      `Could not open the PostgreSQL store: ${(error as Error).message}. Check STORE_URL, the password and the server's firewall.`,
      error,
    );
  });
  migrated.catch(() => undefined);
  return migrated;
}

async function inTransaction<T>(client: PoolClient, fn: (sql: Sql) => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await fn(toSql(client));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * Run `run`, again after a deadlock or serialization failure (up to ATTEMPTS times) or on a
 * connection whose prepared statements went stale (up to `staleAttempts`: each try drops one).
 */
async function withRetries<T>(what: string, run: () => Promise<T>, staleAttempts: number): Promise<T> {
  let stale = 0;
  let conflicts = 0;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      // Each kind of failure has its own count: stale plans met first do not use up the others' tries.
      const code = (error as { code?: string }).code ?? "";
      const again = isStalePlan(error)
        ? ++stale < staleAttempts
        : RETRIED_CODES.has(code) && ++conflicts < ATTEMPTS;
      if (!again) throw storeError(what, error);
    }
  }
}

export function openPgConnection(config: PostgresStoreConfig): PgConnection {
  let clientConfig: ClientConfig;
  try {
    clientConfig = toClientConfig(config);
  } catch (error) {
    throw new StoreError(`Could not read the PostgreSQL TLS settings: ${(error as Error).message}`, error);
  }
  const opened = loadPg().then((pgm) => {
    const pool = new pgm.Pool({
      ...withInt8AsNumber(clientConfig, pgm),
      max: config.poolSize,
      idleTimeoutMillis: 30_000,
    });
    // An idle client dropped by the server: the next statement reports it as a StoreError.
    pool.on("error", () => undefined);
    return pool;
  });
  const migrated = migrateOnOpen(opened);
  // Enough tries to drop every pooled connection once and still run on a fresh one.
  const staleAttempts = config.poolSize + 1;

  async function withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    await migrated;
    const client = await (await opened).connect();
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      // No code at all: not the server's answer nor the kit's; the connection may be unusable.
      const code = (error as { code?: string }).code;
      broken = !code || isStalePlan(error);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  return {
    async newClient() {
      const pgm = await loadPg();
      return new pgm.Client(withInt8AsNumber(clientConfig, pgm));
    },
    migrated,
    async write(what, fn) {
      return withRetries(what, () => withClient((client) => inTransaction(client, fn)), staleAttempts);
    },
    async writeStatement(what, statement, params) {
      return withRetries(
        what,
        () =>
          withClient(async (client) => (await client.query({ ...statement, values: params })).rows as Row[]),
        staleAttempts,
      );
    },
    async read(what, fn) {
      return withRetries(what, () => withClient((client) => fn(toSql(client))), staleAttempts);
    },
    async close() {
      await migrated.catch(() => undefined);
      // A pool that never came (node-postgres failed to load) has nothing to end.
      const pool = await opened.catch(() => null);
      await pool?.end();
    },
  };
}
