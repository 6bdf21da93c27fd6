// The endpoint's configuration: one zod schema over the environment (the DATAVERSE_* variables
// through readDataverseEnv, which the admin scripts share), every problem reported at once,
// secrets required and never defaulted. Read by main.ts only; everything else receives the
// parsed EndpointConfig.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { readDataverseEnv, type DataverseEnvResult } from "./dataverse";
import { checkUrl } from "./env-checks";
import { ConfigError } from "./errors";
import { readObservabilityEnv } from "./observability/read-observability-env";
import type { ObservabilityConfig } from "./observability/read-observability-env";
import { checkPrefix, DEFAULT_PREFIX } from "./payments-table/definition";
import { PROVIDER_PLUGINS } from "./providers/registry";
import type { ProviderPlugin } from "./providers/registry";
import { DEFAULT_MARGINS, describeShortTimeout } from "./rtm/check-payment-timeout";
import type { PaymentMargins } from "./rtm/check-payment-timeout";
import { DEFAULT_STORE_URL, parseStoreUrl } from "./store/store-url";
import type { StoreConfig } from "./store/store-url";

export type EventMode = "outbound" | "rtm";

export interface DeadlinePolicy {
  /** Outbound (Event Portal) finalize window, minutes after the purchase was created. */
  outboundWindowMinutes: number;
  /** RTM: the provider record's "Payment timeout (minutes)"; null when RTM is not configured. */
  rtmTimeoutMinutes: number | null;
  /** The guard stops finalizing and refunds this long before the deadline. */
  marginMinutes: number;
  /** Time kept between the last moment a payment may start and the guard, for finalize to run. */
  finalizeBudgetMinutes: number;
  /** A checkout is refused when the shopper would have less than this to pay. */
  minPayWindowMinutes: number;
  /** When the purchase's creation time is unreadable, t0 = first sight minus this. */
  t0FallbackBackdateMinutes: number;
}

export interface EndpointConfig {
  /**
   * This deployment's id, written on every provider object it creates (DEPLOYMENT_ID, default
   * derived from the Dataverse org and the first portal origin): events of other deployments on the
   * same provider account are acknowledged and ignored, never refunded.
   */
  deploymentId: string;
  /** The Dataverse client's settings (one or several application users), read by readDataverseEnv. */
  dataverse: {
    client: NonNullable<DataverseEnvResult["client"]>;
    api: DataverseEnvResult["api"];
  };
  eventMode: EventMode;
  portalOrigins: string[];
  /** New checkouts go to `active`; every configured provider serves the rows that name it. */
  providers: { active: string; configured: Array<{ name: string; config: unknown }> };
  store: StoreConfig;
  host: string;
  port: number;
  deadline: DeadlinePolicy;
  /** Real-time journeys payment route (GET /v1/rtm/pay). */
  rtm: {
    /** The RTM routes exist (RTM_ENABLED=true, or EVENT_MODE=rtm); otherwise /v1/rtm/* answer 404. */
    enabled: boolean;
    /** Where the shopper goes when Dynamics' returnUrl is missing or on a foreign origin. */
    defaultReturnUrl: string;
    /** The endpoint's public origin (for the cancel link); null → the origin requests arrive at. */
    publicUrl: string | null;
    /** Signs the cancel links (shared by every instance); null → a secret of this process only. */
    linkSecret: string | null;
    /** Column names of the unpublished payment-provider schema; null → discovered from metadata. */
    eventProviderLookup: string | null;
    providerTimeoutColumn: string | null;
  };
  /** concurrency null: defaultWorkerConcurrency of the Dataverse client's call slots. */
  worker: { concurrency: number | null; leaseSeconds: number; pollSeconds: number };
  /** Rows older than this that nothing can need again are pruned (store.prune); never money outstanding. */
  retentionDays: number;
  /** Checkouts a minute for purchases not stored yet (each reads Dataverse); more answer 429. */
  newPurchaseCheckoutsPerMinute: number;
  /** New purchases a minute one client may start per route (the read guard). */
  newPurchasesPerClientPerMinute: number;
  /** The header a trusted proxy puts the client's address in; null: the TCP peer. */
  clientIpHeader: string | null;
  /** Dataverse reads new purchases may cost per 5 minutes; null: a fifth of the users' requests. */
  newPurchaseReadsPer5Minutes: number | null;
  /** LOG_LEVEL, LOG_FORMAT and the trace exporters; omitted: info, JSON, no tracing. */
  observability?: ObservabilityConfig;
  /**
   * The Dataverse payments table (PAYMENTS_TABLE=on, PAYMENTS_TABLE_PREFIX): rows upserted after
   * each change of a purchase's money, on the worker's background lane. Absent or disabled: off.
   */
  paymentsTable?: { enabled: boolean; prefix: string };
  /** The buyer's e-mail goes to the provider so it sends its receipt (SEND_PROVIDER_RECEIPTS, default true). */
  sendProviderReceipts?: boolean;
}

export { DEFAULT_STORE_URL, describeStore, parseStoreUrl } from "./store/store-url";
export type { StoreConfig } from "./store/store-url";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());
const requiredText = (what: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `is required: ${what}` })
      .trim()
      .min(1, `is required: ${what}`),
  );
const minutes = (fallback: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a number of minutes" })
      .int("must be a whole number of minutes")
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

const envSchema = z.object({
  EVENT_MODE: z.preprocess(
    blankToUndefined,
    z.enum(["outbound", "rtm"], { error: 'must be "outbound" or "rtm"' }).default("outbound"),
  ),
  PORTAL_ORIGINS: requiredText("comma-separated portal origins, e.g. https://contoso.powerappsportals.com"),
  DEPLOYMENT_ID: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1 to 40 letters, digits, - or _ (e.g. contoso-prod)")
      .optional(),
  ),
  PAYMENT_PROVIDER: z.preprocess(blankToUndefined, z.string().trim().toLowerCase().default("stripe")),
  STORE_URL: z.preprocess(blankToUndefined, z.string().trim().default(DEFAULT_STORE_URL)),
  HOST: z.preprocess(blankToUndefined, z.string().trim().default("127.0.0.1")),
  PORT: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a port number" })
      .int("must be a whole number")
      .min(0)
      .max(65535)
      .default(7071),
  ),
  FINALIZE_WINDOW_MINUTES: minutes(50, 10, 24 * 60),
  RTM_PAYMENT_TIMEOUT_MINUTES: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a number of minutes" })
      .int()
      .min(10)
      .max(24 * 60)
      .optional(),
  ),
  RTM_RETURN_URL: optionalText,
  RTM_ENABLED: z.preprocess(
    blankToUndefined,
    z.enum(["true", "false"], { error: 'must be "true" or "false"' }).optional(),
  ),
  RTM_LINK_SECRET: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .min(32, "must be at least 32 characters (a random secret shared by every instance)")
      .optional(),
  ),
  ENDPOINT_PUBLIC_URL: optionalText,
  RTM_EVENT_PROVIDER_LOOKUP: optionalText,
  RTM_PROVIDER_TIMEOUT_COLUMN: optionalText,
  DEADLINE_MARGIN_MINUTES: minutes(DEFAULT_MARGINS.marginMinutes, 1, 60),
  FINALIZE_BUDGET_MINUTES: minutes(DEFAULT_MARGINS.finalizeBudgetMinutes, 1, 60),
  MIN_PAY_WINDOW_MINUTES: minutes(DEFAULT_MARGINS.minPayWindowMinutes, 1, 60),
  T0_FALLBACK_BACKDATE_MINUTES: minutes(2, 0, 60),
  WORKER_CONCURRENCY: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a number" })
      .int()
      .min(1, "must be at least 1")
      .max(64, "must be at most 64 (Dataverse calls stay within DATAVERSE_MAX_CONCURRENCY per user)")
      .optional(),
  ),
  NEW_PURCHASES_PER_CLIENT_PER_MINUTE: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: "must be a number" }).int().min(1, "must be at least 1").default(30),
  ),
  NEW_PURCHASE_READS_PER_5_MINUTES: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: "must be a number" }).int().min(1, "must be at least 1").optional(),
  ),
  CLIENT_IP_HEADER: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9-]{1,64}$/, "must be a header name such as x-forwarded-for")
      .optional(),
  ),
  NEW_PURCHASE_CHECKOUTS_PER_MINUTE: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: "must be a number" }).int().min(1, "must be at least 1").default(300),
  ),
  RETENTION_DAYS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a number of days" })
      .int("must be a whole number of days")
      .min(7, "must be at least 7 (providers redeliver events for days)")
      .max(3650)
      .default(90),
  ),
  PAYMENTS_TABLE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(
        z.enum(["on", "off"], { error: 'must be "on" or "off" (the Dataverse payments table; default off)' }),
      )
      .default("off"),
  ),
  PAYMENTS_TABLE_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((v) => checkPrefix(v) === null, { error: (i) => checkPrefix(String(i.input)) ?? "" })
      .default(DEFAULT_PREFIX),
  ),
  SEND_PROVIDER_RECEIPTS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(["true", "false"], { error: 'must be "true" or "false" (default true)' }))
      .default("true"),
  ),
  WORKER_LEASE_SECONDS: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(30).max(3600).default(120),
  ),
});

/**
 * The origins PORTAL_ORIGINS lists. A problem names the item by its position, never by its text:
 * a secret pasted into the wrong variable must not reach the log.
 */
function parseOrigins(raw: string, problems: string[]): string[] {
  const origins: string[] = [];
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  items.forEach((item, index) => {
    const problem = checkOrigin(item);
    if (problem === null) origins.push(new URL(item).origin);
    else problems.push(`PORTAL_ORIGINS: item ${index + 1} of ${items.length} ${problem}`);
  });
  if (origins.length === 0 && !problems.some((p) => p.startsWith("PORTAL_ORIGINS"))) {
    problems.push("PORTAL_ORIGINS: lists no origin; give at least one portal origin");
  }
  return origins;
}

/**
 * A stable id for a deployment that sets none: the same Dataverse org and portal give the same id
 * on every instance and restart; dev and UAT (other org or other portal) differ.
 */
export function defaultDeploymentId(dataverseUrl: string, portalOrigin: string): string {
  const digest = createHash("sha256")
    .update(`${dataverseUrl.toLowerCase()}\n${portalOrigin.toLowerCase()}`)
    .digest("hex");
  return `d-${digest.slice(0, 16)}`;
}

/** What is wrong with one PORTAL_ORIGINS item, or null when it is an origin we accept. */
function checkOrigin(item: string): string | null {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return "is not a URL; write origins like https://contoso.powerappsportals.com";
  }
  const local = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(local && url.protocol === "http:"))
    return "must use https (http is accepted for localhost only)";
  if (url.username || url.password) return "must not carry a user name or password";
  if (url.pathname !== "/" || url.search || url.hash)
    return "must be an origin only (scheme://host[:port]), without a path";
  return null;
}

/**
 * Jobs the worker runs at once when WORKER_CONCURRENCY is unset: as many as the Dataverse client
 * lets call at once over all its application users (DATAVERSE_MAX_CONCURRENCY each, default 4), so
 * every user can be kept busy, plus two for jobs waiting on something else (a provider, the store).
 */
export function defaultWorkerConcurrency(dataverseCallSlots: number): number {
  return Math.max(1, dataverseCallSlots) + 2;
}

/** Parse the environment into a config, or throw ConfigError listing every problem at once. */
export function loadConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
  plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS,
): EndpointConfig {
  const problems: string[] = [];
  // Each variable is parsed on its own, so one bad value does not hide the checks of the others.
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else for (const issue of result.error.issues) problems.push(`${name}: ${issue.message}`);
  }
  const dataverse = readDataverseEnv(env, readFile);
  problems.push(...dataverse.problems);
  const providers = readProviders(env, values.PAYMENT_PROVIDER as string | undefined, plugins, problems);
  const store = readStore(env, values.STORE_URL as string | undefined, problems);
  const observability = readObservabilityEnv(env, problems);
  const config = crossChecks(values as Partial<z.infer<typeof envSchema>>, dataverse, providers, problems);
  if (problems.length > 0 || config === null || store === null) throw new ConfigError(problems);
  return { ...config, store, observability };
}

/** STORE_URL with the PG* variables and STORE_POOL_SIZE a PostgreSQL store also reads. */
function readStore(
  env: Record<string, string | undefined>,
  url: string | undefined,
  problems: string[],
): StoreConfig | null {
  if (url === undefined) return null;
  const store = parseStoreUrl(url, env);
  if (!("problem" in store)) return store;
  problems.push(`STORE_URL: ${store.problem}`);
  return null;
}

/**
 * The provider new checkouts use (PAYMENT_PROVIDER, its variables required) and every other
 * provider whose variables are set, so rows it took earlier are still served.
 */
function readProviders(
  env: Record<string, string | undefined>,
  active: string | undefined,
  plugins: readonly ProviderPlugin[],
  problems: string[],
): EndpointConfig["providers"] | null {
  const name = active ?? "stripe";
  if (!plugins.some((p) => p.name === name)) {
    problems.push(`PAYMENT_PROVIDER: must be one of ${plugins.map((p) => `"${p.name}"`).join(", ")}`);
    return null;
  }
  const configured: EndpointConfig["providers"]["configured"] = [];
  for (const plugin of plugins) {
    const result = plugin.readEnv(env, plugin.name === name);
    if (result === null) continue;
    if ("problems" in result) problems.push(...result.problems);
    else configured.push({ name: plugin.name, config: result.config });
  }
  return { active: name, configured };
}

/**
 * The margins the environment sets, and a problem for each configured window too short for them
 * (the RTM one is the payment provider record's timeout, which the record itself must match).
 */
function checkWindows(e: Partial<z.infer<typeof envSchema>>, problems: string[]): PaymentMargins {
  const margins: PaymentMargins = {
    marginMinutes: e.DEADLINE_MARGIN_MINUTES ?? DEFAULT_MARGINS.marginMinutes,
    finalizeBudgetMinutes: e.FINALIZE_BUDGET_MINUTES ?? DEFAULT_MARGINS.finalizeBudgetMinutes,
    minPayWindowMinutes: e.MIN_PAY_WINDOW_MINUTES ?? DEFAULT_MARGINS.minPayWindowMinutes,
  };
  const windows: Array<[string, number | undefined, string]> = [
    ["FINALIZE_WINDOW_MINUTES", e.FINALIZE_WINDOW_MINUTES, ""],
    [
      "RTM_PAYMENT_TIMEOUT_MINUTES",
      e.RTM_PAYMENT_TIMEOUT_MINUTES,
      ' (and the payment provider record\'s "Payment timeout (minutes)" with it)',
    ],
  ];
  for (const [name, value, also] of windows) {
    const problem = value === undefined ? null : describeShortTimeout(value, margins);
    if (problem !== null) problems.push(`${name}: ${problem}${also}`);
  }
  return margins;
}

function crossChecks(
  e: Partial<z.infer<typeof envSchema>>,
  dataverse: DataverseEnvResult,
  providers: EndpointConfig["providers"] | null,
  problems: string[],
): Omit<EndpointConfig, "store"> | null {
  const origins = e.PORTAL_ORIGINS ? parseOrigins(e.PORTAL_ORIGINS, problems) : [];
  if (e.EVENT_MODE === "rtm" && e.RTM_PAYMENT_TIMEOUT_MINUTES === undefined) {
    problems.push(
      'RTM_PAYMENT_TIMEOUT_MINUTES: is required when EVENT_MODE=rtm; copy the payment provider record\'s "Payment timeout (minutes)"',
    );
  }
  if (e.RTM_RETURN_URL) checkUrl("RTM_RETURN_URL", e.RTM_RETURN_URL, problems, true);
  if (e.ENDPOINT_PUBLIC_URL) checkUrl("ENDPOINT_PUBLIC_URL", e.ENDPOINT_PUBLIC_URL, problems, true);
  for (const name of ["RTM_EVENT_PROVIDER_LOOKUP", "RTM_PROVIDER_TIMEOUT_COLUMN"] as const) {
    const value = e[name];
    if (value && !/^[a-z_][a-z0-9_]{0,99}$/i.test(value))
      problems.push(`${name}: is not a Dataverse logical name (letters, digits, _)`);
  }
  const margins = checkWindows(e, problems);
  if (problems.length > 0 || !dataverse.client || providers === null) return null;
  return {
    deploymentId: e.DEPLOYMENT_ID ?? defaultDeploymentId(dataverse.client.url, origins[0] ?? ""),
    dataverse: { client: dataverse.client, api: dataverse.api },
    eventMode: e.EVENT_MODE!,
    portalOrigins: origins,
    providers,
    host: e.HOST!,
    port: e.PORT!,
    deadline: {
      outboundWindowMinutes: e.FINALIZE_WINDOW_MINUTES!,
      rtmTimeoutMinutes: e.RTM_PAYMENT_TIMEOUT_MINUTES ?? null,
      ...margins,
      t0FallbackBackdateMinutes: e.T0_FALLBACK_BACKDATE_MINUTES ?? 2,
    },
    rtm: {
      enabled: e.RTM_ENABLED === "true" || e.EVENT_MODE === "rtm",
      defaultReturnUrl: e.RTM_RETURN_URL ?? `${origins[0]}/`,
      publicUrl: e.ENDPOINT_PUBLIC_URL ? new URL(e.ENDPOINT_PUBLIC_URL).origin : null,
      linkSecret: e.RTM_LINK_SECRET ?? null,
      eventProviderLookup: e.RTM_EVENT_PROVIDER_LOOKUP?.toLowerCase() ?? null,
      providerTimeoutColumn: e.RTM_PROVIDER_TIMEOUT_COLUMN?.toLowerCase() ?? null,
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY ?? null,
      leaseSeconds: e.WORKER_LEASE_SECONDS!,
      pollSeconds: 5,
    },
    newPurchaseCheckoutsPerMinute: e.NEW_PURCHASE_CHECKOUTS_PER_MINUTE!,
    newPurchasesPerClientPerMinute: e.NEW_PURCHASES_PER_CLIENT_PER_MINUTE ?? 30,
    clientIpHeader: e.CLIENT_IP_HEADER ?? null,
    newPurchaseReadsPer5Minutes: e.NEW_PURCHASE_READS_PER_5_MINUTES ?? null,
    retentionDays: e.RETENTION_DAYS ?? 90,
    paymentsTable: { enabled: e.PAYMENTS_TABLE === "on", prefix: e.PAYMENTS_TABLE_PREFIX ?? DEFAULT_PREFIX },
    sendProviderReceipts: e.SEND_PROVIDER_RECEIPTS !== "false",
  };
}
