// Where the stand-in keeps its rows: one SQLite table of JSON records keyed by entity set and id,
// plus the application users and the token-signing key. A file path keeps state across restarts;
// ":memory:" (the default) keeps it for the life of the process.
import Database from "better-sqlite3";

/** A Dataverse row as the Web API shows it; keys starting with "__" are the stand-in's own and never leave it. */
export type DataverseRecord = Record<string, unknown>;

export interface ApplicationUser {
  clientId: string;
  /** Absent when the user signs in with a certificate only. */
  clientSecret: string | null;
  /** PEM public key or certificate that verifies client assertions, when registered. */
  certificatePem: string | null;
  /** systemuserid the Web API reports in WhoAmI. */
  userId: string;
}

export interface RecordStore {
  get(setName: string, id: string): DataverseRecord | undefined;
  list(setName: string): DataverseRecord[];
  /** Inserts or replaces the whole row. */
  put(setName: string, id: string, record: DataverseRecord): void;
  /** Runs fn in one SQLite transaction (rolled back if it throws). */
  transaction<T>(fn: () => T): T;
  nextVersion(): number;
  /** A tiny secondary index (e.g. contact by e-mail) so lookups stay O(1) at benchmark sizes. */
  indexGet(kind: string, key: string): string | undefined;
  indexPut(kind: string, key: string, id: string): void;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  listApplicationUsers(): ApplicationUser[];
  putApplicationUser(user: ApplicationUser): void;
  close(): void;
}

type Db = InstanceType<typeof Database>;

const SCHEMA = `
    CREATE TABLE IF NOT EXISTS records (set_name TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (set_name, id));
    CREATE TABLE IF NOT EXISTS lookup_index (kind TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
      PRIMARY KEY (kind, key));
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS application_users (client_id TEXT PRIMARY KEY, client_secret TEXT,
      certificate_pem TEXT, user_id TEXT NOT NULL, position INTEGER NOT NULL);
  `;

/** Rows by entity set and id (ids lower case), and the lookup index beside them. */
function recordTable(db: Db): Pick<RecordStore, "get" | "list" | "put" | "indexGet" | "indexPut"> {
  const getStmt = db.prepare<[string, string], { data: string }>(
    "SELECT data FROM records WHERE set_name = ? AND id = ?",
  );
  const listStmt = db.prepare<[string], { data: string }>(
    "SELECT data FROM records WHERE set_name = ? ORDER BY rowid",
  );
  const putStmt = db.prepare<[string, string, string]>(
    "INSERT INTO records (set_name, id, data) VALUES (?, ?, ?) ON CONFLICT (set_name, id) DO UPDATE SET data = excluded.data",
  );
  const indexGetStmt = db.prepare<[string, string], { id: string }>(
    "SELECT id FROM lookup_index WHERE kind = ? AND key = ?",
  );
  const indexPutStmt = db.prepare<[string, string, string]>(
    "INSERT INTO lookup_index (kind, key, id) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET id = excluded.id",
  );
  return {
    get(setName, id) {
      const row = getStmt.get(setName, id.toLowerCase());
      return row ? (JSON.parse(row.data) as DataverseRecord) : undefined;
    },
    list(setName) {
      return listStmt.all(setName).map((r) => JSON.parse(r.data) as DataverseRecord);
    },
    put(setName, id, record) {
      putStmt.run(setName, id.toLowerCase(), JSON.stringify(record));
    },
    indexGet(kind, key) {
      return indexGetStmt.get(kind, key.toLowerCase())?.id;
    },
    indexPut(kind, key, id) {
      indexPutStmt.run(kind, key.toLowerCase(), id);
    },
  };
}

/** The application users, in the order they were added (the first is the default one). */
function applicationUserTable(db: Db): Pick<RecordStore, "listApplicationUsers" | "putApplicationUser"> {
  const listUsersStmt = db.prepare<
    [],
    { client_id: string; client_secret: string | null; certificate_pem: string | null; user_id: string }
  >("SELECT client_id, client_secret, certificate_pem, user_id FROM application_users ORDER BY position");
  const putUserStmt = db.prepare<[string, string | null, string | null, string]>(
    `INSERT INTO application_users (client_id, client_secret, certificate_pem, user_id, position)
     VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM application_users))
     ON CONFLICT (client_id) DO UPDATE SET client_secret = excluded.client_secret, certificate_pem = excluded.certificate_pem`,
  );
  let usersCache: ApplicationUser[] | null = null;
  return {
    listApplicationUsers() {
      usersCache ??= listUsersStmt.all().map((r) => ({
        clientId: r.client_id,
        clientSecret: r.client_secret,
        certificatePem: r.certificate_pem,
        userId: r.user_id,
      }));
      return usersCache;
    },
    putApplicationUser(user) {
      usersCache = null;
      putUserStmt.run(user.clientId, user.clientSecret, user.certificatePem, user.userId);
    },
  };
}

/**
 * Row versions only need to grow: persist them in steps of 1000 and skip ahead a step on open,
 * instead of writing the counter on every change.
 */
function versionCounter(settings: Pick<RecordStore, "getSetting" | "setSetting">): () => number {
  const versionStep = 1000;
  let version = Number(settings.getSetting("version") ?? "0") + versionStep;
  let persistedUpTo = version + versionStep;
  settings.setSetting("version", String(persistedUpTo));
  return () => {
    version += 1;
    if (version >= persistedUpTo) {
      persistedUpTo = version + versionStep;
      settings.setSetting("version", String(persistedUpTo));
    }
    return version;
  };
}

export function openRecordStore(dbPath = ":memory:"): RecordStore {
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(SCHEMA);
  const getSettingStmt = db.prepare<[string], { value: string }>("SELECT value FROM settings WHERE key = ?");
  const setSettingStmt = db.prepare<[string, string]>(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const settings = {
    getSetting: (key: string) => getSettingStmt.get(key)?.value,
    setSetting: (key: string, value: string) => {
      setSettingStmt.run(key, value);
    },
  };
  return {
    ...recordTable(db),
    ...applicationUserTable(db),
    ...settings,
    transaction: (fn) => db.transaction(fn)(),
    nextVersion: versionCounter(settings),
    close() {
      db.close();
    },
  };
}
