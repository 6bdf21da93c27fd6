// Configuration errors name the variable and what is wrong, never its value: every variable the
// endpoint and the admin scripts read is fed a secret-looking value that its check refuses, and no
// message may carry any part of it.

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { ConfigError } from "../../confirmation-endpoint/errors";
import { dataverseSettingsFromEnv } from "../../scripts/lib/dataverse-env";

const MARK = "Zq7LeakMark";
const PEM = `-----BEGIN PRIVATE KEY-----\nMIIE${MARK}vQIBADANBgkq\n-----END PRIVATE KEY-----\n`;

/** Values each check must refuse, every one carrying the mark. */
const LEAKY: Record<string, string> = {
  DATAVERSE_URL: `https://user:${MARK}@contoso.crm.dynamics.com`,
  DATAVERSE_TENANT_ID: `${MARK}!tenant`,
  DATAVERSE_CLIENT_ID: `${MARK}-client`,
  DATAVERSE_AUTHORITY_HOST: `http://${MARK}.example.com`,
  DATAVERSE_CERTIFICATE_PATH: PEM,
  DATAVERSE_CLIENT_ID_2: "22222222-2222-2222-2222-222222222222",
  DATAVERSE_CERTIFICATE_PATH_2: `/secrets/${MARK}.pem`,
  DATAVERSE_MAX_CONCURRENCY: `${MARK}`,
  DATAVERSE_TIMEOUT_MS: `-${MARK}`,
  DATAVERSE_API_VERSION: `${MARK}`,
  EVENT_MODE: `${MARK}`,
  PORTAL_ORIGINS: `https://ok.contoso.com, ${MARK}, http://${MARK}.com, https://a:${MARK}@x.com, https://x.com/${MARK}`,
  PAYMENT_PROVIDER: `${MARK}`,
  STORE_URL: `mysql://gateway:${MARK}@db.invalid/gateway`,
  PORT: `${MARK}`,
  FINALIZE_WINDOW_MINUTES: `${MARK}`,
  RTM_PAYMENT_TIMEOUT_MINUTES: `${MARK}`,
  RTM_RETURN_URL: `https://user:${MARK}@events.contoso.com/`,
  RTM_LINK_SECRET: `${MARK}`,
  ENDPOINT_PUBLIC_URL: `ftp://${MARK}.contoso.com`,
  RTM_EVENT_PROVIDER_LOOKUP: `${MARK}'; drop`,
  RTM_PROVIDER_TIMEOUT_COLUMN: `${MARK} x`,
  DEADLINE_MARGIN_MINUTES: `${MARK}`,
  FINALIZE_BUDGET_MINUTES: `${MARK}`,
  MIN_PAY_WINDOW_MINUTES: `${MARK}`,
  T0_FALLBACK_BACKDATE_MINUTES: `${MARK}`,
  WORKER_CONCURRENCY: `${MARK}`,
  NEW_PURCHASE_CHECKOUTS_PER_MINUTE: `${MARK}`,
  WORKER_LEASE_SECONDS: `${MARK}`,
  STRIPE_SECRET_KEY: `pk_live_${MARK}`,
  STRIPE_WEBHOOK_SECRETS: `whsec_ok,${MARK}`,
  STRIPE_API_BASE: `https://sk:${MARK}@api.stripe.test`,
};

/** A reader whose error quotes the path, as Node's own does. */
function readFileQuoting(path: string): string {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
}

function configMessage(env: Record<string, string>): string {
  try {
    loadConfig(env, readFileQuoting);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return `${(error as ConfigError).message}\n${(error as ConfigError).problems.join("\n")}`;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration messages never carry a value", () => {
  it("names every refused variable without repeating any part of its value", () => {
    // A provider that is not known stops its variables' checks: both cases are read.
    const message = configMessage(LEAKY) + configMessage({ ...LEAKY, PAYMENT_PROVIDER: "stripe" });
    expect(message).not.toContain(MARK);
    expect(message).not.toContain("BEGIN PRIVATE KEY");
    for (const name of Object.keys(LEAKY).filter((n) => n !== "DATAVERSE_CLIENT_ID_2"))
      expect(message, name).toContain(name);
  });

  it("says a PEM was pasted where its path belongs", () => {
    expect(configMessage({ ...LEAKY, DATAVERSE_CERTIFICATE_PATH: PEM })).toContain(
      "DATAVERSE_CERTIFICATE_PATH: holds certificate text, not a file path",
    );
  });

  it("points at the PORTAL_ORIGINS item by its position", () => {
    const message = configMessage(LEAKY);
    expect(message).toContain("PORTAL_ORIGINS: item 2 of 5 is not a URL");
    expect(message).toContain("PORTAL_ORIGINS: item 3 of 5 must use https");
    expect(message).toContain("PORTAL_ORIGINS: item 4 of 5 must not carry a user name or password");
    expect(message).toContain("PORTAL_ORIGINS: item 5 of 5 must be an origin only");
  });

  it("keeps the admin scripts' Dataverse messages value-free too", () => {
    const env = Object.fromEntries(Object.entries(LEAKY).filter(([k]) => k.startsWith("DATAVERSE_")));
    let message = "";
    try {
      dataverseSettingsFromEnv(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("DATAVERSE_API_VERSION");
    expect(message).not.toContain(MARK);
  });
});
