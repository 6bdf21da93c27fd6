// What `doctor` checks in an org and at the endpoint, one function per line of its table. Each
// answers pass, warn or fail with what it saw and, when not pass, the fix.
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { DataverseError } from "../../confirmation-endpoint/dataverse/errors";
import {
  DEFAULT_MARGINS,
  describeShortTimeout,
  shortestTimeoutMinutes,
  type PaymentMargins,
} from "../../confirmation-endpoint/rtm/check-payment-timeout";
import { discoverTimeoutColumn } from "../../confirmation-endpoint/rtm/read-rtm-event";
import { findDemoFlag, passCounts, readEventAdministration } from "./assign-gateway";
import { findWebPageLookup, lookupValue, WEB_PAGE_TABLES, type LookupColumn } from "./gateway-schema";

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorInput {
  partialUrl: string;
  /** Base URL of the confirmation endpoint (the PaymentGateway/EndpointUrl setting). */
  endpointUrl?: string | undefined;
  /** https://<portal host>. */
  portalUrl?: string | undefined;
  now: () => number;
  fetch: typeof fetch;
  /** The payment provider's own checks (Adyen: API key and merchant account), when it has any. */
  providerChecks?: () => Promise<CheckResult[]>;
  /** The endpoint's DEADLINE_MARGIN_MINUTES, FINALIZE_BUDGET_MINUTES, MIN_PAY_WINDOW_MINUTES (marginsFromEnv). */
  margins?: PaymentMargins;
}

/** The endpoint's three margin settings from its environment; an unset or unreadable one is the default. */
export function marginsFromEnv(env: Record<string, string | undefined>): PaymentMargins {
  const read = (name: string, fallback: number) => {
    const n = Number(env[name]?.trim() || NaN);
    return Number.isInteger(n) && n > 0 ? n : fallback;
  };
  return {
    marginMinutes: read("DEADLINE_MARGIN_MINUTES", DEFAULT_MARGINS.marginMinutes),
    finalizeBudgetMinutes: read("FINALIZE_BUDGET_MINUTES", DEFAULT_MARGINS.finalizeBudgetMinutes),
    minPayWindowMinutes: read("MIN_PAY_WINDOW_MINUTES", DEFAULT_MARGINS.minPayWindowMinutes),
  };
}

const pass = (check: string, detail: string): CheckResult => ({ check, status: "pass", detail });
const warn = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: "warn",
  detail,
  fix,
});
const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: "fail",
  detail,
  fix,
});

async function checkSignIn(client: DataverseClient): Promise<CheckResult> {
  const name = "Dataverse sign-in";
  try {
    await client.checkTokens();
    return pass(name, "the application user got a token");
  } catch (error) {
    return fail(
      name,
      (error as Error).message,
      "Check DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and the secret or certificate, and that the app registration is an application user in this environment.",
    );
  }
}

async function checkActions(
  client: DataverseClient,
): Promise<{ results: CheckResult[]; finalizeName: string | null }> {
  const name = "Event-management actions";
  const csdl = String(
    (await client.get<string>("$metadata", { headers: { Accept: "application/xml" } })).data ?? "",
  );
  const has = (action: string) => new RegExp(`<Action\\s+Name="${action}"`).test(csdl);
  const finalizeName =
    ["msevtmgt_FinalizeExternalRegistrationRequest", "adx_FinalizeExternalRegistrationRequest"].find(has) ??
    null;
  const details = has("msevtmgt_ListDetailedPurchaseInfo")
    ? "msevtmgt_ListDetailedPurchaseInfo"
    : has("msevtmgt_GetPurchaseDetailsAction")
      ? "msevtmgt_GetPurchaseDetailsAction"
      : null;
  const results: CheckResult[] = [];
  if (!finalizeName)
    results.push(
      fail(
        name,
        "msevtmgt_FinalizeExternalRegistrationRequest is not in $metadata",
        "Install or update the Event management solution; the action is what turns a paid purchase into registrations.",
      ),
    );
  else if (!details)
    results.push(
      fail(
        name,
        `${finalizeName} present, but no purchase-details action`,
        "Update the Event management solution (msevtmgt_ListDetailedPurchaseInfo arrived in 1.12.10024).",
      ),
    );
  else if (details !== "msevtmgt_ListDetailedPurchaseInfo")
    results.push(
      warn(
        name,
        `${finalizeName} and ${details} (the older details action)`,
        "Works; updating the Event management solution adds attendee details to the order summary.",
      ),
    );
  else results.push(pass(name, `${finalizeName} and ${details}`));
  return { results, finalizeName };
}

async function checkFinalizeRole(client: DataverseClient, finalizeName: string | null): Promise<CheckResult> {
  const name = "Finalize callable by the app user";
  if (!finalizeName) return warn(name, "skipped: the action is missing", "Fix the line above first.");
  try {
    // A purchase that cannot exist: a business refusal proves the call got through to the action.
    await client.post(
      finalizeName,
      { PurchaseId: "00000000-0000-0000-0000-000000000000", ReadableEventId: "epg-doctor-probe", UserId: "" },
      { retryAmbiguous: false },
    );
    return warn(
      name,
      "the probe for a purchase that cannot exist was accepted",
      "Unexpected: check the action's behaviour on a test purchase before going live.",
    );
  } catch (error) {
    if (error instanceof DataverseError && (error.status === 401 || error.status === 403)) {
      return fail(
        name,
        `${error.status} ${error.code}: ${error.message}`,
        'Give the application user the "Finalize RegistrationService" security role.',
      );
    }
    if (error instanceof DataverseError && error.status >= 400 && error.status < 500)
      return pass(name, `reached the action (it refused the probe purchase: ${error.code})`);
    return warn(name, (error as Error).message, "Dataverse did not answer clearly; run doctor again.");
  }
}

async function checkPage(
  client: DataverseClient,
  input: DoctorInput,
): Promise<{ results: CheckResult[]; lookup: LookupColumn | null; pageId: string | null }> {
  const name = "Gateway web page";
  let lookup: LookupColumn;
  try {
    lookup = await findWebPageLookup(client, "msevtmgt_event", "event's Portal payment gateway");
  } catch (error) {
    return {
      results: [fail(name, (error as Error).message, (error as { hint?: string }).hint ?? "")],
      lookup: null,
      pageId: null,
    };
  }
  const t = WEB_PAGE_TABLES[lookup.target];
  const results: CheckResult[] = [];
  let pageId: string | null = null;
  if (t.partialUrl) {
    const rows =
      (
        await client.get<{ value: Array<Record<string, unknown>> }>(
          `${t.set}?$select=${t.id}&$filter=${encodeURIComponent(`${t.partialUrl} eq '${input.partialUrl.replace(/'/g, "''")}'`)}`,
        )
      ).data.value ?? [];
    pageId = rows[0] ? String(rows[0][t.id]) : null;
    results.push(
      pageId
        ? pass(name, `${t.set}(${pageId}) has partial URL "${input.partialUrl}"`)
        : fail(
            name,
            `no ${lookup.target} with partial URL "${input.partialUrl}"`,
            "Run npm run deploy (or upload the build's site folder with pac pages upload).",
          ),
    );
  }
  if (input.portalUrl) {
    const url = new URL(`/${input.partialUrl}/`, input.portalUrl).href;
    try {
      const status = (await input.fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000) }))
        .status;
      results.push(
        status === 200
          ? pass("Page published on the portal", `${url} answered 200`)
          : warn(
              "Page published on the portal",
              `${url} answered ${status}`,
              "Check the page is Published, then clear the cache (npm run clear-cache).",
            ),
      );
    } catch (error) {
      results.push(
        fail("Page published on the portal", `${url}: ${(error as Error).message}`, "Check --portal-url."),
      );
    }
  }
  return { results, lookup, pageId };
}

async function checkEndpoint(input: DoctorInput): Promise<CheckResult[]> {
  if (!input.endpointUrl)
    return [
      warn(
        "Endpoint reachable",
        "not checked",
        "Pass --endpoint-url <the PaymentGateway/EndpointUrl site setting>.",
      ),
    ];
  const base = input.endpointUrl.replace(/\/+$/, "");
  const results: CheckResult[] = [];
  try {
    const health = await input.fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
    results.push(
      health.status === 200
        ? pass("Endpoint reachable", `${base}/healthz answered 200`)
        : fail(
            "Endpoint reachable",
            `${base}/healthz answered ${health.status}`,
            "Look at the endpoint's log; `npm run serve` lists configuration problems at start.",
          ),
    );
  } catch (error) {
    return [
      fail(
        "Endpoint reachable",
        `${base}/healthz: ${(error as Error).message}`,
        "Start the endpoint, or fix the PaymentGateway/EndpointUrl site setting.",
      ),
    ];
  }
  if (input.portalUrl) {
    const origin = new URL(input.portalUrl).origin;
    const preflight = await input.fetch(`${base}/v1/checkout`, {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
      signal: AbortSignal.timeout(10_000),
    });
    const allowed = preflight.headers.get("access-control-allow-origin");
    results.push(
      allowed === origin
        ? pass("CORS for the portal", `${origin} may call /v1/checkout`)
        : fail(
            "CORS for the portal",
            `the endpoint answered Access-Control-Allow-Origin: ${allowed ?? "(none)"} to ${origin}`,
            `Add ${origin} to the endpoint's PORTAL_ORIGINS.`,
          ),
    );
  }
  return results;
}

async function checkEvents(
  client: DataverseClient,
  lookup: LookupColumn | null,
  pageId: string | null,
): Promise<CheckResult> {
  const name = "Events with the gateway";
  if (!lookup || !pageId)
    return warn(name, "skipped: the gateway page was not found", "Fix the lines above first.");
  const events =
    (
      await client.get<{ value: Array<Record<string, unknown>> }>(
        `msevtmgt_events?$select=msevtmgt_eventid,msevtmgt_readableeventid&$filter=${lookupValue(lookup.logicalName)} eq ${pageId}`,
      )
    ).data.value ?? [];
  if (events.length === 0)
    return warn(
      name,
      "no event uses the gateway page yet",
      "npm run assign -- --event <readable id> (or --all-paid, --default).",
    );
  const counts = await passCounts(client);
  const noPass = events
    .filter((e) => !counts.get(String(e.msevtmgt_eventid)))
    .map((e) => String(e.msevtmgt_readableeventid));
  return noPass.length > 0
    ? warn(
        name,
        `${events.length} event(s); without a pass (the gateway is never shown): ${noPass.join(", ")}`,
        "Add a pass with a price to each, or remove the gateway from them.",
      )
    : pass(name, `${events.length} event(s), each with at least one pass`);
}

async function checkDemo(client: DataverseClient): Promise<CheckResult> {
  const name = "Demo payment confirmation";
  const flag = await findDemoFlag(client);
  if (!flag)
    return warn(
      name,
      "the switch's column could not be found in metadata",
      "Check by hand: Event management → Event administration → Enable demo payment confirmation = No.",
    );
  const admin = await readEventAdministration(client, flag);
  if (!admin)
    return warn(
      name,
      "no active Event administration record",
      "Open Event administration once in the app to create it.",
    );
  return admin[flag] === true
    ? fail(
        name,
        "ON: anyone could confirm a paid registration without paying",
        "Event management → Event administration → Enable demo payment confirmation = No.",
      )
    : pass(name, "off");
}

async function checkClock(client: DataverseClient, now: () => number): Promise<CheckResult> {
  const name = "Clock skew";
  const before = now();
  const response = await client.get("WhoAmI");
  const date = response.headers.date ? Date.parse(response.headers.date) : NaN;
  if (Number.isNaN(date))
    return warn(name, "Dataverse sent no Date header", "Keep this machine's clock synchronised (NTP).");
  const skewSeconds = Math.round((before + (now() - before) / 2 - date) / 1000);
  const text = `this machine is ${Math.abs(skewSeconds)} s ${skewSeconds >= 0 ? "ahead of" : "behind"} Dataverse`;
  if (Math.abs(skewSeconds) > 300)
    return fail(
      name,
      text,
      "Synchronise the clock (NTP): webhook signatures more than 300 s off are refused and deadlines drift.",
    );
  if (Math.abs(skewSeconds) > 60) return warn(name, text, "Synchronise the clock (NTP).");
  return pass(name, text);
}

/** Each payment provider record's "Payment timeout (minutes)" against the endpoint's margins. */
async function checkProviderTimeouts(client: DataverseClient, margins: PaymentMargins): Promise<CheckResult> {
  const name = "RTM payment timeouts";
  let column: string | null;
  let candidates: string[];
  try {
    ({ column, candidates } = await discoverTimeoutColumn(client));
  } catch (error) {
    if (error instanceof DataverseError && error.status === 404)
      return pass(name, "no payment provider table: real-time journeys payments are not set up");
    throw error;
  }
  if (column === null)
    return warn(
      name,
      `the timeout column was not found unambiguously (candidates: ${candidates.join(", ") || "none"})`,
      `Check each payment provider's "Payment timeout (minutes)" by hand: it must be at least ${shortestTimeoutMinutes(margins)} minutes (more than DEADLINE_MARGIN_MINUTES + FINALIZE_BUDGET_MINUTES + MIN_PAY_WINDOW_MINUTES).`,
    );
  const rows =
    (await client.get<{ value?: Array<Record<string, unknown>> }>("msevtmgt_paymentproviders")).data.value ??
    [];
  const short: string[] = [];
  let problem: string | null = null;
  for (const row of rows) {
    const minutes = row[column];
    const label =
      typeof row.msevtmgt_name === "string" ? row.msevtmgt_name : String(row.msevtmgt_paymentproviderid);
    const found = typeof minutes === "number" ? describeShortTimeout(minutes, margins) : null;
    if (found !== null) {
      short.push(`${label} (${minutes} min)`);
      problem = found;
    }
  }
  if (problem !== null)
    return fail(
      name,
      `too short to take a payment: ${short.join(", ")}`,
      `Each "Payment timeout (minutes)" ${problem}.`,
    );
  return pass(name, `${rows.length} payment provider record(s), none too short for the endpoint's margins`);
}

export async function runDoctor(client: DataverseClient, input: DoctorInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const signIn = await checkSignIn(client);
  results.push(signIn);
  if (signIn.status === "fail") return [...results, ...(await checkEndpoint(input))];
  const actions = await checkActions(client);
  results.push(...actions.results, await checkFinalizeRole(client, actions.finalizeName));
  const page = await checkPage(client, input);
  results.push(...page.results, ...(await checkEndpoint(input)));
  results.push(
    await checkEvents(client, page.lookup, page.pageId),
    await checkDemo(client),
    await checkClock(client, input.now),
    await checkProviderTimeouts(client, input.margins ?? DEFAULT_MARGINS),
  );
  results.push(...((await input.providerChecks?.()) ?? []));
  return results;
}

export function formatTable(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.check.length));
  const mark = { pass: "PASS", warn: "WARN", fail: "FAIL" } as const;
  return results.flatMap((r) => [
    `${mark[r.status]}  ${r.check.padEnd(width)}  ${r.detail}`,
    ...(r.fix ? [`${" ".repeat(width + 8)}fix: ${r.fix}`] : []),
  ]);
}
