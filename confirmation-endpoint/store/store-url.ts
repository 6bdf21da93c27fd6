// STORE_URL → which store to open. A problem never repeats the URL (a postgres:// URL may carry a
// password), and describeStore names a store for logs and progress lines without its credentials.

/** TLS to PostgreSQL, as libpq's sslmode names it (PGSSLMODE or ?sslmode=). */
export type PgSslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

export interface PostgresStoreConfig {
  kind: "postgres";
  /** The connection URL without its TLS parameters (they are in `ssl`); may hold the password. */
  url: string;
  /** From PGPASSWORD when the URL has none; null otherwise. */
  password: string | null;
  ssl: { mode: PgSslMode; rootCertPath: string | null };
  /** Connections this instance may hold (STORE_POOL_SIZE). */
  poolSize: number;
}

/** Which store backs the endpoint (a union: each kind opens through store/open-store.ts). */
export type StoreConfig = { kind: "sqlite"; path: string } | PostgresStoreConfig;

export const DEFAULT_STORE_URL = "sqlite:./data/gateway.sqlite";
export const DEFAULT_POOL_SIZE = 10;

const SSL_MODES: readonly PgSslMode[] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/** The variables besides STORE_URL that shape a PostgreSQL store (libpq's names where they exist). */
export type StoreEnv = Partial<
  Record<"PGSSLMODE" | "PGPASSWORD" | "PGSSLROOTCERT" | "STORE_POOL_SIZE", string | undefined>
>;

/** The store a STORE_URL names, or what is wrong with it (never quoting the URL). */
export function parseStoreUrl(value: string, env: StoreEnv = {}): StoreConfig | { problem: string } {
  const url = value.trim();
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    return path === ""
      ? { problem: `sqlite: needs a file path, e.g. ${DEFAULT_STORE_URL}` }
      : { kind: "sqlite", path };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return parsePostgresUrl(url, env);
  return { problem: `must be sqlite:<path> (e.g. ${DEFAULT_STORE_URL}) or postgres://user@host/database` };
}

function parsePostgresUrl(value: string, env: StoreEnv): PostgresStoreConfig | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: "is not a valid postgres:// URL (postgres://user:password@host:5432/database)" };
  }
  if (url.hostname === "") return { problem: "postgres:// URL names no host" };
  if (url.pathname.length <= 1) return { problem: "postgres:// URL names no database (…/database)" };
  const mode = (url.searchParams.get("sslmode") || env.PGSSLMODE?.trim() || "prefer").toLowerCase();
  if (!SSL_MODES.includes(mode as PgSslMode)) {
    return { problem: `sslmode (in the URL or PGSSLMODE) must be one of ${SSL_MODES.join(", ")}` };
  }
  const rootCertPath = url.searchParams.get("sslrootcert") ?? (env.PGSSLROOTCERT?.trim() || null);
  const poolSize = Number(env.STORE_POOL_SIZE?.trim() || DEFAULT_POOL_SIZE);
  if (!Number.isInteger(poolSize) || poolSize < 2 || poolSize > 200) {
    return { problem: "STORE_POOL_SIZE must be a whole number from 2 to 200" };
  }
  // TLS settings travel in `ssl`: node-postgres would otherwise read sslmode from the URL itself.
  for (const key of ["sslmode", "sslrootcert", "sslcert", "sslkey"]) url.searchParams.delete(key);
  const password = url.password === "" ? env.PGPASSWORD || null : null;
  return {
    kind: "postgres",
    url: url.toString(),
    password,
    ssl: { mode: mode as PgSslMode, rootCertPath },
    poolSize,
  };
}

/** A store's name for logs and progress lines: the SQLite path, or PostgreSQL's host and database only. */
export function describeStore(config: StoreConfig): string {
  if (config.kind === "sqlite") return `sqlite:${config.path}`;
  const url = new URL(config.url);
  return `postgres://${url.host}${url.pathname}`;
}
