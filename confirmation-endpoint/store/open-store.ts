// The one place a store kind is chosen: every host (the endpoint, reconcile, the benchmark, the
// sandbox, the store command) opens its store from the parsed STORE_URL through here.

import type { StoreConfig } from "./store-url";
import { openPostgresStore } from "./postgres-store";
import { openSqliteStore } from "./sqlite-store";
import type { PaymentStore } from "./types";

export function openStore(config: StoreConfig): PaymentStore {
  switch (config.kind) {
    case "sqlite":
      return openSqliteStore(config.path);
    case "postgres":
      return openPostgresStore(config);
  }
}
