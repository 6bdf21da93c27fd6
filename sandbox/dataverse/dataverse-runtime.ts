// Everything the Dataverse stand-in runs on, built before it listens: the clock it can be moved
// on, the record store with its tenant and application users, the knobs, service protection,
// fault injection and the request counters. The routes read and change it; nothing here opens a port.
import { randomBytes, randomUUID } from "node:crypto";
import { createFaults, noFaults, type FaultKnobs } from "./faults";
import { openRecordStore, type RecordStore } from "./record-store";
import { restoreCustomTables } from "./custom-tables";
import { buildSchema, defaultNames, type StandInNames } from "./schema";
import { createServiceProtection, defaultLimits, type ServiceProtectionLimits } from "./service-protection";
import type { TokenService } from "./token-service";
import type { Knobs, StandInContext } from "./context";
import type { DataverseStandInOptions, StandInStats } from "./start-dataverse-stand-in";

/** Base clock plus an offset that setClock, advance and POST /sandbox/clock move. */
export interface StandInClock {
  now(): number;
  baseNow(): number;
  offset: number;
}

function createClock(baseNow: () => number): StandInClock {
  const clock: StandInClock = { baseNow, offset: 0, now: () => baseNow() + clock.offset };
  return clock;
}

function defaultKnobs(store: RecordStore, given: Partial<Knobs> | undefined): Knobs {
  const knobs: Knobs = {
    listDetailedPurchaseInfo: true,
    finalizeActionPrefix: "msevtmgt",
    purchaseLifetimeMs: 50 * 60_000,
    defaultRtmTimeoutMinutes: 15,
    portalUrl: "",
    eventApiToken: store.getSetting("event-api-token") ?? randomBytes(18).toString("base64url"),
    eventApiOrigins: [],
    eventApiRedirectKey: "redirectUrl",
    rtmPurchaseDelayMs: 0,
    ...given,
  };
  store.setSetting("event-api-token", knobs.eventApiToken);
  return knobs;
}

/** The tenant id and application users: from the options, else the database, else generated. */
function ensureIdentity(store: RecordStore, options: DataverseStandInOptions): string {
  const tenantId = options.tenantId ?? store.getSetting("tenant-id") ?? randomUUID();
  store.setSetting("tenant-id", tenantId);
  for (const u of options.applicationUsers ?? []) {
    store.putApplicationUser({
      clientId: u.clientId,
      clientSecret: u.clientSecret ?? null,
      certificatePem: u.certificatePem ?? null,
      userId: randomUUID(),
    });
  }
  if (store.listApplicationUsers().length === 0) {
    store.putApplicationUser({
      clientId: randomUUID(),
      clientSecret: randomBytes(24).toString("base64url"),
      certificatePem: null,
      userId: randomUUID(),
    });
  }
  return tenantId;
}

export function createDataverseRuntime(options: DataverseStandInOptions) {
  const clock = createClock(options.now ?? Date.now);
  const store = openRecordStore(options.dbPath);
  const names: StandInNames = { ...defaultNames, ...options.names };
  const knobs = defaultKnobs(store, options.knobs);
  const ctx: StandInContext = { store, schema: buildSchema(names), names, now: clock.now, knobs };
  restoreCustomTables(ctx);
  const limits: ServiceProtectionLimits = { ...defaultLimits, ...options.limits };
  const random = options.random ?? Math.random;
  const protection = createServiceProtection(limits, options.monotonic, random, options.handlingClock);
  const faultKnobs: FaultKnobs = { ...noFaults, failures: {}, ...options.faults };
  const faults = createFaults(faultKnobs, random);
  const stats: StandInStats = {
    apiRequests: 0,
    tokenRequests: 0,
    unauthorized: 0,
    actionCalls: {},
    throttled: protection.throttled,
    faults: faults.counts,
  };
  return {
    ctx,
    store,
    knobs,
    clock,
    limits,
    protection,
    faultKnobs,
    faults,
    stats,
    tenantId: ensureIdentity(store, options),
    log: options.log ?? (() => {}),
    /** The stand-in's origin and token service, known once it listens. */
    origin: "",
    tokens: null as TokenService | null,
  };
}

export type DataverseRuntime = ReturnType<typeof createDataverseRuntime>;
