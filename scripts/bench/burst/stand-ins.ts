// The burst benchmark's world: the Dataverse stand-in (three application users, service protection
// on a clock the benchmark can jump, a tally of finalize calls) and the Stripe stand-in, both on the
// shared scaled clock; plus the environment that points an endpoint process at them.

import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { startDataverseStandIn } from "../../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../../sandbox/dataverse/start-dataverse-stand-in";
import type { SeedResult } from "../../../sandbox/dataverse/seed-data";
import { defaultLimits } from "../../../sandbox/dataverse/service-protection";
import { startProviderStandIn } from "../../../sandbox/provider/start-provider-stand-in";
import type { ProviderStandIn } from "../../../sandbox/provider/start-provider-stand-in";
import { startSandboxAdyen, type SandboxAdyen } from "../../../sandbox/adyen/sandbox-adyen";
import type { ScaledClock } from "./scaled-clock";
import { formatClockState } from "./scaled-clock";

export const PORTAL_ORIGIN = "http://127.0.0.1:5999";
const FINALIZE_SEGMENT = "msevtmgt_FinalizeExternalRegistrationRequest";
const UNLIMITED = {
  requestsPerWindow: 1e9,
  executionMsPerWindow: 1e15,
  concurrentRequests: 1e6,
  extraExecutionMsPerRequest: 0,
  extraExecutionTakesTime: false,
  executionJitter: 0,
  holdUntilRetryAfter: false,
};

/** What the Dataverse stand-in saw of finalize calls, by status, with the clock time of each success. */
export interface FinalizeTally {
  /** Every Web API request, finalize or not. */
  apiRequests: number;
  requests: number;
  succeeded: number;
  throttled: number;
  other: number;
  /** Clock ms of the latest successful finalize. */
  lastSuccessAt: number;
  reset(): void;
}

/** Resolves once the Dataverse stand-in has answered no request for `quietMs` (real), or after `timeoutMs`. */
async function waitForQuiet(tally: FinalizeTally, quietMs = 300, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let seen = tally.apiRequests;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    if (tally.apiRequests !== seen) {
      seen = tally.apiRequests;
      quietSince = Date.now();
    }
  }
}

export interface BurstWorld {
  clock: ScaledClock;
  dataverse: DataverseStandIn;
  provider: ProviderStandIn;
  /** The Adyen stand-in when the world runs with provider "adyen" (checkouts and refunds go there), else null. */
  adyen: SandboxAdyen | null;
  seed: SeedResult;
  webhookSecret: string;
  tally: FinalizeTally;
  /** Service protection runs `scale` times faster than real time from now on (its time stays continuous). */
  setTimeScale(scale: number): void;
  /** Limits off (setup: registrations and checkouts are not what is measured). */
  liftLimits(): void;
  /**
   * The real limits from now on, with `costMs` of execution time charged per request (plug-ins), and
   * every user's window already full, spread evenly over the last window: the burst meets an org
   * already at its ceiling, so the ceiling is a steady rate rather than a free first window.
   */
  startAtCeiling(options: {
    costMs: number;
    users: number;
    chunks?: number;
    /** Each request then takes its cost in (scaled) time before it is answered, varied by `jitter`; default: charged at once. */
    takesTime?: { jitter: number };
  }): Promise<void>;
  /** A bearer token of application user `index` (0-based), e.g. for the baseline client. */
  token(index: number): Promise<string>;
  /** The endpoint process environment for the first `users` application users. */
  /** `firstUser` (0-based, default 0): start at that user, e.g. one user per endpoint instance. */
  endpointEnv(options: { users: number; storePath: string; firstUser?: number }): Record<string, string>;
  close(): Promise<void>;
}

function createTally(): FinalizeTally {
  const zero = { apiRequests: 0, requests: 0, succeeded: 0, throttled: 0, other: 0, lastSuccessAt: 0 };
  const tally: FinalizeTally = { ...zero, reset: () => void Object.assign(tally, zero) };
  return tally;
}

/** Counts one request the Dataverse stand-in answered (its log entry) into `tally`, at clock time `now`. */
function countRequest(tally: FinalizeTally, entry: Record<string, unknown>, now: number): void {
  if (typeof entry.path !== "string") return;
  if (entry.path.includes("/api/data/")) tally.apiRequests++;
  if (!entry.path.endsWith(FINALIZE_SEGMENT)) return;
  tally.requests++;
  if (entry.status === 200 || entry.status === 204) {
    tally.succeeded++;
    tally.lastSuccessAt = Math.max(tally.lastSuccessAt, now);
  } else if (entry.status === 429) tally.throttled++;
  else tally.other++;
}

export async function startBurstWorld(options: {
  clock: ScaledClock;
  timeScale: number;
  dir: string;
  passCapacity: number;
  provider?: "stripe" | "adyen";
  /** Dataverse ms a request sent while its user is held adds to the hold (default: the stand-in's). */
  holdExtensionMs?: number;
}): Promise<BurstWorld> {
  const { clock } = options;
  const holdExtensionMs = options.holdExtensionMs ?? defaultLimits.holdExtensionMs;
  let timeScale = options.timeScale;
  let shiftRealMs = 0;
  const tally = createTally();
  const users = [1, 2, 3].map(() => ({
    clientId: randomUUID(),
    clientSecret: randomBytes(18).toString("base64url"),
  }));
  const dataverse = await startDataverseStandIn({
    now: clock.now,
    applicationUsers: users,
    monotonic: () => performance.now() + shiftRealMs,
    // A request in flight while the windows are moved (startAtCeiling) is charged its own time only.
    handlingClock: () => performance.now(),
    limits: { ...UNLIMITED, timeScale },
    log: (entry) => countRequest(tally, entry, clock.now()),
  });
  const seed = dataverse.seed({ passCapacity: options.passCapacity });
  const webhookSecret = `whsec_${randomBytes(16).toString("hex")}`;
  const provider = await startProviderStandIn({
    webhookSecret,
    now: clock.now,
    sweepIntervalMs: 0,
    enabledEvents: ["checkout.session.completed"],
    webhookRetry: {
      maxAttempts: 40,
      initialDelayMs: 250,
      maxDelayMs: 2000,
      timeoutMs: 10_000,
      concurrency: 32,
    },
    dbPath: join(options.dir, "provider.sqlite"),
  });
  // Notifications are retried on a real-time timer: the burst's clock is never advanced by hand.
  const adyen =
    options.provider === "adyen" ? await startSandboxAdyen({ now: clock.now, retryEveryMs: 250 }) : null;

  async function tokenFor(user: { clientId: string; clientSecret: string }): Promise<string> {
    const res = await fetch(`${dataverse.authorityHost}/${dataverse.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: user.clientId,
        client_secret: user.clientSecret,
        scope: `${dataverse.url}/.default`,
      }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token)
      throw new Error(`the Dataverse stand-in refused a token for ${user.clientId} (${res.status})`);
    return body.access_token;
  }

  return {
    clock,
    dataverse,
    provider,
    adyen,
    seed,
    webhookSecret,
    tally,
    setTimeScale(scale) {
      const protectionNow = (performance.now() + shiftRealMs) * timeScale;
      timeScale = scale;
      shiftRealMs = protectionNow / scale - performance.now();
      dataverse.setLimits({ timeScale: scale });
    },
    token: (index) => tokenFor(users[index] ?? users[0]!),
    liftLimits() {
      dataverse.setLimits({ ...UNLIMITED, timeScale });
    },
    async startAtCeiling({ costMs, users: count, chunks = 20, takesTime }) {
      // The previous phase's last requests (say, a warm-up's payments-table rows) first: one arriving
      // while the windows are filled would be charged as a slice of the fill.
      await waitForQuiet(tally);
      const windowReal = defaultLimits.windowMs / timeScale;
      // Two windows forward: everything the setup charged has left every user's window.
      const base = shiftRealMs + 2 * windowReal + 1;
      const chunkCost = defaultLimits.executionMsPerWindow / chunks - 200;
      dataverse.setLimits({
        requestsPerWindow: defaultLimits.requestsPerWindow,
        executionMsPerWindow: defaultLimits.executionMsPerWindow,
        concurrentRequests: defaultLimits.concurrentRequests,
        extraExecutionMsPerRequest: chunkCost,
        // Documented: a user is held until its Retry-After ends; how much sending meanwhile adds is not (INFERRED).
        holdUntilRetryAfter: true,
        holdExtensionMs,
      });
      const tokens = await Promise.all(users.slice(0, count).map(tokenFor));
      for (let k = 0; k < chunks; k++) {
        shiftRealMs = base - windowReal * (1 - (k + 0.5) / chunks);
        for (const token of tokens) {
          const res = await fetch(`${dataverse.url}/api/data/v9.2/WhoAmI`, {
            headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          });
          const answer = await res.text();
          if (res.status !== 200)
            throw new Error(
              `filling the service-protection window failed: WhoAmI answered ${res.status} ${answer.slice(0, 300)}`,
            );
        }
        await new Promise((r) => setTimeout(r, 2)); // let the stand-in charge the request (on "close")
      }
      shiftRealMs = base;
      dataverse.setLimits({
        extraExecutionMsPerRequest: costMs,
        extraExecutionTakesTime: takesTime !== undefined,
        executionJitter: takesTime?.jitter ?? 0,
      });
    },
    endpointEnv({ users: count, storePath, firstUser = 0 }) {
      const env: Record<string, string> = {
        DATAVERSE_URL: dataverse.url,
        DATAVERSE_TENANT_ID: dataverse.tenantId,
        DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
        PORTAL_ORIGINS: PORTAL_ORIGIN,
        STRIPE_SECRET_KEY: "sk_test_burst",
        STRIPE_WEBHOOK_SECRETS: webhookSecret,
        STRIPE_API_BASE: provider.apiBase,
        ...adyen?.env,
        STORE_URL: `sqlite:${storePath}`,
        PORT: "0",
        // The setup checks out thousands of purchases in seconds; that is not what is measured.
        NEW_PURCHASE_CHECKOUTS_PER_MINUTE: "1000000",
        // The setup checks out from one client, far past what one real client is allowed.
        NEW_PURCHASES_PER_CLIENT_PER_MINUTE: "1000000",
        NEW_PURCHASE_READS_PER_5_MINUTES: "1000000",
        BURST_CLOCK: formatClockState(clock.state()),
        BURST_READABLE_EVENT_ID: seed.paidEvent.readableEventId,
        ...(process.env.BURST_START_WORKER ? { BURST_START_WORKER: process.env.BURST_START_WORKER } : {}),
        // 0: each endpoint keeps Dataverse's throttling holds to itself (the baseline before sharing).
        ...(process.env.BURST_SHARED_HOLDS ? { BURST_SHARED_HOLDS: process.env.BURST_SHARED_HOLDS } : {}),
      };
      users.slice(firstUser, firstUser + count).forEach((user, i) => {
        const suffix = i === 0 ? "" : `_${i + 1}`;
        env[`DATAVERSE_CLIENT_ID${suffix}`] = user.clientId;
        env[`DATAVERSE_CLIENT_SECRET${suffix}`] = user.clientSecret;
      });
      return env;
    },
    async close() {
      await adyen?.standIn.close();
      await provider.close();
      await dataverse.close();
    },
  };
}
