// Throttling holds shared between the instances that use one application user. Dataverse holds a
// user after a 429 until its Retry-After has passed and lengthens the hold for every request sent
// meanwhile, from whichever process: an instance that learns of a hold writes "user X held until
// T" to a place every instance reads (the endpoint's store), and each instance re-reads it at most
// every `refreshMs` before it sends, so the others stop sending too. A hold only ever moves later.
// Optional: a client without it (the admin scripts) keeps its holds to itself, as before.

import type { DataverseCredential } from "./credentials";
import type { DataverseLogger } from "./log";

/** One application user held by Dataverse until `heldUntil` (epoch ms of the clients' clock). */
export interface UserHold {
  /** Names the user without any secret: see userHoldKey. */
  userKey: string;
  heldUntil: number;
}

/** Where the holds are shared (the endpoint's store implements it). */
export interface SharedUserHolds {
  /** Keeps the later of the hold already recorded for the user and this one. */
  recordUserHold(hold: UserHold, now: number): Promise<void>;
  /** The recorded holds of these users (ended ones may be among them). */
  readUserHolds(userKeys: readonly string[]): Promise<UserHold[]>;
}

/** Default: how often (client-clock ms) an instance that is sending re-reads the shared holds. */
export const DEFAULT_SHARED_HOLD_REFRESH_MS = 250;

/** Longest real time a call waits for the shared holds before it goes on with what it knows. */
const STORE_PATIENCE_MS = 1000;

/**
 * The key of an application user in one Dataverse organisation: the organisation's host, the tenant
 * and the app's client id (or which managed identity). Never the secret or the certificate.
 */
export function userHoldKey(
  orgUrl: string,
  defaults: { tenantId: string; clientId: string },
  credential: DataverseCredential,
): string {
  let host: string;
  try {
    host = new URL(orgUrl).host.toLowerCase();
  } catch {
    host = orgUrl.toLowerCase();
  }
  const identity = credential.managedIdentity;
  if (identity) {
    const id =
      identity.kind === "system"
        ? "system"
        : "clientId" in identity
          ? `client:${identity.clientId}`
          : "resourceId" in identity
            ? `resource:${identity.resourceId}`
            : `object:${identity.objectId}`;
    return `${host} managed-identity ${id.toLowerCase()}`;
  }
  const tenant = (credential.tenantId ?? defaults.tenantId).toLowerCase();
  const client = (credential.clientId ?? defaults.clientId).toLowerCase();
  return `${host} ${tenant} ${client}`;
}

/** What the user pool needs of a slot to share its hold. */
export interface HoldTarget {
  readonly key: string;
  readonly label: string;
  blockedUntil: number;
}

export interface HoldSync {
  /** Re-reads the shared holds when the last read is `refreshMs` old or more; else returns at once. */
  refresh(targets: readonly HoldTarget[]): Promise<void>;
  /** Writes a hold this instance was told of (only when it is later than what it last wrote). */
  publish(target: HoldTarget, untilMs: number): Promise<void>;
}

function withinPatience(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STORE_PATIENCE_MS);
    timer.unref?.();
  });
  return Promise.race([work, patience]).finally(() => clearTimeout(timer));
}

export function createHoldSync(
  shared: SharedUserHolds,
  options: { refreshMs: number; now: () => number; log: DataverseLogger },
): HoldSync {
  const { now, log } = options;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  const written = new Map<string, number>();
  let warnedAt = Number.NEGATIVE_INFINITY;
  const warn = (event: string, error: unknown) => {
    // Once a minute at most: a store outage should not flood the log from every call.
    if (now() - warnedAt < 60_000) return;
    warnedAt = now();
    log({ level: "warn", event, error: error instanceof Error ? error.message : String(error) });
  };

  async function read(targets: readonly HoldTarget[]): Promise<void> {
    try {
      const holds = await shared.readUserHolds(targets.map((t) => t.key));
      for (const hold of holds) {
        for (const target of targets) {
          if (target.key !== hold.userKey || hold.heldUntil <= target.blockedUntil) continue;
          target.blockedUntil = hold.heldUntil;
          if (hold.heldUntil > now())
            log({
              level: "info",
              event: "dataverse.shared_hold",
              user: target.label,
              heldUntil: hold.heldUntil,
            });
        }
      }
    } catch (error) {
      warn("dataverse.shared_hold.unreadable", error);
    }
  }

  return {
    refresh(targets) {
      if (reading) return withinPatience(reading);
      if (now() - readAt < options.refreshMs) return Promise.resolve();
      readAt = now();
      reading = read(targets).finally(() => {
        reading = null;
      });
      return withinPatience(reading);
    },
    async publish(target, untilMs) {
      if ((written.get(target.key) ?? 0) >= untilMs) return;
      written.set(target.key, untilMs);
      const write = shared
        .recordUserHold({ userKey: target.key, heldUntil: untilMs }, now())
        .catch((error: unknown) => {
          // Not recorded: the next 429 of this user writes it again, even with the same end.
          if (written.get(target.key) === untilMs) written.delete(target.key);
          warn("dataverse.shared_hold.unwritable", error);
        });
      await withinPatience(write);
    },
  };
}
