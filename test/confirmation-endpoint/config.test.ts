import { describe, expect, it } from "vitest";
import { defaultWorkerConcurrency, loadConfig } from "../../confirmation-endpoint/config";
import type { EndpointConfig } from "../../confirmation-endpoint/config";
import type { StripeEnvConfig } from "../../confirmation-endpoint/providers/stripe";
import { ConfigError } from "../../confirmation-endpoint/errors";

const VALID = {
  DATAVERSE_URL: "https://contoso.crm.dynamics.com/",
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
  DATAVERSE_CLIENT_SECRET: "not-a-real-secret",
  PORTAL_ORIGINS: "https://contoso.powerappsportals.com, https://events.contoso.com",
  STRIPE_SECRET_KEY: "sk_test_123",
  STRIPE_WEBHOOK_SECRETS: "whsec_new,whsec_old",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

/** The Stripe configuration the registry read (the only provider these environments configure). */
function stripeOf(c: EndpointConfig): StripeEnvConfig {
  expect(c.providers.active).toBe("stripe");
  return c.providers.configured.find((p) => p.name === "stripe")!.config as StripeEnvConfig;
}

describe("loadConfig", () => {
  it("parses a valid environment with defaults", () => {
    const c = loadConfig(VALID);
    expect(c.dataverse.client.url).toBe("https://contoso.crm.dynamics.com");
    expect(c.dataverse.client.credentials).toEqual([{ clientSecret: "not-a-real-secret", label: "user1" }]);
    expect(c.portalOrigins).toEqual(["https://contoso.powerappsportals.com", "https://events.contoso.com"]);
    expect(stripeOf(c).webhookSecrets).toEqual(["whsec_new", "whsec_old"]);
    expect(c.store).toEqual({ kind: "sqlite", path: "./data/gateway.sqlite" });
    expect(c).toMatchObject({ host: "127.0.0.1", port: 7071, eventMode: "outbound" });
    expect(c.deadline).toEqual({
      outboundWindowMinutes: 50,
      rtmTimeoutMinutes: null,
      marginMinutes: 3,
      finalizeBudgetMinutes: 5,
      minPayWindowMinutes: 5,
      t0FallbackBackdateMinutes: 2,
    });
    // Unset: the endpoint sizes it from the Dataverse calls its users may make at once, plus 2.
    expect(c.worker.concurrency).toBeNull();
    expect([4, 12].map(defaultWorkerConcurrency)).toEqual([6, 14]);
    expect(loadConfig({ ...VALID, WORKER_CONCURRENCY: "12" }).worker.concurrency).toBe(12);
  });

  it("lists every problem at once and refuses to start without secrets", () => {
    const problems = problemsOf({ PORTAL_ORIGINS: "ftp://x", PORT: "seventy" });
    const text = problems.join("\n");
    for (const name of [
      "DATAVERSE_URL",
      "DATAVERSE_TENANT_ID",
      "DATAVERSE_CLIENT_ID",
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRETS",
      "PORT",
      "application user 1: no credential",
      "PORTAL_ORIGINS",
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain("set exactly one of DATAVERSE_CLIENT_SECRET, or DATAVERSE_CERTIFICATE_PATH");
  });

  it("never echoes a secret in a message", () => {
    const problems = problemsOf({
      ...VALID,
      STRIPE_SECRET_KEY: "pk_live_leaky",
      STRIPE_WEBHOOK_SECRETS: "whsec_ok,leaky-webhook-secret",
      STORE_URL: "postgres://gateway:leaky-db-password@db.invalid/gateway?sslmode=bogus",
      DATAVERSE_CERTIFICATE_PATH: "/c.pem",
    });
    expect(problems.join("\n")).toContain("STORE_URL: sslmode (in the URL or PGSSLMODE) must be one of");
    expect(problems.join("\n")).not.toMatch(/leaky/);
    expect(problems.join("\n")).not.toContain("not-a-real-secret");
  });

  it.each([
    [
      { DATAVERSE_CERTIFICATE_PATH: "/c.pem", DATAVERSE_CERTIFICATE_THUMBPRINT: "a".repeat(40) },
      "both a client secret and a certificate",
    ],
    [
      { DATAVERSE_CLIENT_SECRET: "", DATAVERSE_CERTIFICATE_PATH: "/no/such/c.pem" },
      "DATAVERSE_CERTIFICATE_PATH: cannot read the file it names (ENOENT)",
    ],
    [{ DATAVERSE_CLIENT_SECRET: " " }, "no credential"],
    [{ DATAVERSE_CLIENT_ID: "app" }, "DATAVERSE_CLIENT_ID: must be the application (client) id, a GUID"],
  ])("demands exactly one Dataverse credential (%o)", (patch, message) => {
    expect(problemsOf({ ...VALID, ...patch }).join("\n")).toContain(message);
  });

  it("accepts a certificate credential", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nnot checked here\n-----END PRIVATE KEY-----\n";
    const c = loadConfig(
      {
        ...VALID,
        DATAVERSE_CLIENT_SECRET: "",
        DATAVERSE_CERTIFICATE_PATH: "/c.pem",
        DATAVERSE_CERTIFICATE_THUMBPRINT: "AB:".repeat(19) + "AB",
      },
      (path) => (path === "/c.pem" ? pem : ""),
    );
    expect(c.dataverse.client.credentials).toEqual([
      {
        certificate: { privateKeyPem: pem, thumbprint: "AB:".repeat(19) + "AB", passphrase: undefined },
        label: "user1",
      },
    ]);
  });

  it.each([
    [
      { STRIPE_WEBHOOK_SECRETS: "whsec_a,oops" },
      "STRIPE_WEBHOOK_SECRETS: every secret must start with whsec_",
    ],
    [{ PORTAL_ORIGINS: "http://contoso.com" }, "must use https"],
    [{ PORTAL_ORIGINS: "https://contoso.com/page" }, "must be an origin only"],
    [{ EVENT_MODE: "rtm" }, "RTM_PAYMENT_TIMEOUT_MINUTES: is required when EVENT_MODE=rtm"],
    [{ EVENT_MODE: "both" }, 'EVENT_MODE: must be "outbound" or "rtm"'],
    [{ FINALIZE_WINDOW_MINUTES: "12" }, "leaves no time to pay"],
    [{ STORE_URL: "postgres://db" }, "STORE_URL: postgres:// URL names no database"],
    [{ STORE_URL: "mysql://x" }, "STORE_URL: must be sqlite:<path>"],
    [{ WORKER_CONCURRENCY: "65" }, "WORKER_CONCURRENCY: must be at most 64"],
    [{ DATAVERSE_URL: "http://contoso.crm.dynamics.com" }, "must be an https URL"],
  ])("explains %o", (patch, message) => {
    expect(problemsOf({ ...VALID, ...patch }).join("\n")).toContain(message);
  });

  it("allows http for a local sandbox and an RTM timeout", () => {
    const c = loadConfig({
      ...VALID,
      PORTAL_ORIGINS: "http://127.0.0.1:5173",
      STRIPE_API_BASE: "http://127.0.0.1:12111",
      EVENT_MODE: "rtm",
      RTM_PAYMENT_TIMEOUT_MINUTES: "30",
    });
    expect(c.portalOrigins).toEqual(["http://127.0.0.1:5173"]);
    expect(c.deadline.rtmTimeoutMinutes).toBe(30);
    expect(stripeOf(c).apiBase).toBe("http://127.0.0.1:12111");
  });

  it("the error message says what to do", () => {
    expect(() => loadConfig({})).toThrow(/Fix them in the environment \(see \.env\.example\)/);
  });
});

describe("payment timeouts against the margins", () => {
  it.each([
    [{ EVENT_MODE: "rtm", RTM_PAYMENT_TIMEOUT_MINUTES: "10" }, "RTM_PAYMENT_TIMEOUT_MINUTES"],
    [{ FINALIZE_WINDOW_MINUTES: "13" }, "FINALIZE_WINDOW_MINUTES"],
  ])("refuses %o, saying which numbers to change", (patch, name) => {
    const text = problemsOf({ ...VALID, ...patch }).join("\n");
    expect(text).toContain(`${name}: leaves no time to pay`);
    expect(text).toContain("raise it to at least 14 minutes, or lower one of those three settings");
  });

  it("counts the margins the environment sets", () => {
    const text = problemsOf({
      ...VALID,
      EVENT_MODE: "rtm",
      RTM_PAYMENT_TIMEOUT_MINUTES: "15",
      MIN_PAY_WINDOW_MINUTES: "8",
    }).join("\n");
    expect(text).toContain("MIN_PAY_WINDOW_MINUTES (8)");
    expect(text).toContain("at least 17 minutes");
  });

  it("accepts a timeout that leaves the minimum time to pay", () => {
    const c = loadConfig({ ...VALID, EVENT_MODE: "rtm", RTM_PAYMENT_TIMEOUT_MINUTES: "14" });
    expect(c.deadline.rtmTimeoutMinutes).toBe(14);
  });
});
