// The throwaway cluster for the PostgreSQL tests (sandbox/postgres-cluster.ts). Without Debian's
// binaries the tests say so and are skipped, except under CI=true, where a missing server is a
// failure (.ci/run installs it).

import { findPostgresBin } from "../../sandbox/postgres-cluster";

export { startCluster } from "../../sandbox/postgres-cluster";
export type { PgCluster } from "../../sandbox/postgres-cluster";

const PG_ROOT = "/usr/lib/postgresql";

/** The binaries for a test file, or null (with a note on stderr) when they are missing locally. */
export function postgresBinForTests(): string | null {
  const bin = findPostgresBin();
  if (bin) return bin;
  const why = `PostgreSQL tests: no ${PG_ROOT}/*/bin/initdb (Debian package "postgresql")`;
  if (process.env.CI === "true") throw new Error(`${why}; CI must run them (.ci/run installs it)`);
  process.stderr.write(`${why}: skipped. Install it with apt-get install postgresql to run them.\n`);
  return null;
}
