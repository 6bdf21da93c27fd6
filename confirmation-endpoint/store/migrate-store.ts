// `npm run store -- migrate`: bring a PostgreSQL store's schema up to this release before a rolling
// deploy, so the new instances find it ready and the old ones keep running (additive migrations).

import { openPgConnection } from "./postgres/connection";
import type { MigrateResult } from "./postgres/migrate";
import type { PostgresStoreConfig } from "./store-url";

export async function migrateStore(config: PostgresStoreConfig): Promise<MigrateResult> {
  const c = openPgConnection(config);
  try {
    return await c.migrated;
  } finally {
    await c.close();
  }
}
