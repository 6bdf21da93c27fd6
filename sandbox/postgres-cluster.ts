// A throwaway PostgreSQL cluster for the sandbox (`npm start -- --store postgres`) and the tests:
// Debian's `postgresql` binaries (initdb + pg_ctl) in a temporary folder, on a free loopback port,
// removed afterwards. The server refuses to run as root, so as root it runs as the `postgres` user.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const PG_ROOT = "/usr/lib/postgresql";

/** The folder holding initdb and pg_ctl (version 15 preferred), or null when none is installed. */
export function findPostgresBin(): string | null {
  const versions = existsSync(PG_ROOT) ? readdirSync(PG_ROOT).sort((a, b) => Number(b) - Number(a)) : [];
  const ordered = ["15", ...versions.filter((v) => v !== "15")];
  const bin = ordered.map((v) => join(PG_ROOT, v, "bin")).find((b) => existsSync(join(b, "initdb")));
  return bin ?? null;
}

export interface PgCluster {
  port: number;
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** The password of the cluster's superuser (for a test of PGPASSWORD). */
  password: string;
  /** The cluster's data folder (postmaster.pid names the server's process). */
  dataDir: string;
  /** Create an empty database and answer its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** A port nothing listens on now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * `durable`: keep PostgreSQL's own fsync and synchronous commit (a benchmark comparing stores); tests
 * leave them off for speed. `settings`: more server settings (name to value), e.g. to load an extension.
 */
export async function startCluster(
  bin: string,
  options: { durable?: boolean; settings?: Record<string, string> } = {},
): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), "pg-cluster-"));
  const data = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  writeFileSync(join(dir, "pw"), `${password}\n`, { mode: 0o600 });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
    chownSync(join(dir, "pw"), uid, gid);
  }
  const pgRun = (file: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, file), ...args]) : run(join(bin, file), args);
  const port = await freePort();
  try {
    await pgRun("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      `--pwfile=${join(dir, "pw")}`,
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    // A test cluster: durability off for speed (unless asked for), sockets in the temporary folder, loopback only.
    const speed = options.durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    const extra = Object.entries(options.settings ?? {}).map(([name, value]) => ` -c ${name}=${value}`);
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}${speed} -c max_connections=200${extra.join("")}`;
    await pgRun("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-o",
      serverOptions,
      "-w",
      "-t",
      "60",
      "start",
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    port,
    password,
    dataDir: data,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      await pgRun("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
