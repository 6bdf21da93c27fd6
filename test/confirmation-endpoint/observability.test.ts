import { describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { ConfigError } from "../../confirmation-endpoint/errors";
import { collectSecretValues, createJsonLogger, redactFields } from "../../confirmation-endpoint/logger";
import { ENDPOINT_ENV, PURCHASE, payAndNotify, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));

describe("health, readiness, metrics", () => {
  it("/healthz is live, /readyz follows the store", async () => {
    expect((await h.app(new Request("http://e.test/healthz"))).status).toBe(200);
    expect((await h.app(new Request("http://e.test/readyz"))).status).toBe(200);
    h.storeSwitch.mode = "down";
    const down = await h.app(new Request("http://e.test/readyz"));
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: "NOT_READY",
      message: "Not ready: store failing; see the log.",
    });
    expect((await h.app(new Request("http://e.test/healthz"))).status).toBe(200);
  });

  it("/metrics renders counters for webhooks, finalize attempts and latency, refunds, throttles, deadline misses", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    await h.settle();
    const res = await h.app(new Request("http://e.test/metrics"));
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('gateway_webhooks_total{outcome="stored"} 1');
    expect(text).toContain('gateway_finalize_attempts_total{outcome="finalized"} 1');
    expect(text).toContain("gateway_finalize_duration_seconds_count 1");
    for (const name of [
      "gateway_refunds_total",
      "gateway_dataverse_throttles_total",
      "gateway_deadline_misses_total",
      "gateway_dead_letters_total",
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    expect(text).not.toContain(PURCHASE);
  });

  it("answers unknown routes and wrong methods with the error shape", async () => {
    const missing = await h.app(new Request("http://e.test/nope"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    const wrong = await h.app(new Request("http://e.test/v1/checkout", { method: "GET" }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("POST");
  });
});

describe("logs", () => {
  it("redacts credential-like keys at any depth", () => {
    expect(
      redactFields({
        authorization: "Bearer x",
        nested: { clientSecret: "s", access_token: "t", password: "p", purchaseId: "keep" },
        list: [{ apiKey: "k" }],
      }),
    ).toEqual({
      authorization: "[redacted]",
      nested: {
        clientSecret: "[redacted]",
        access_token: "[redacted]",
        password: "[redacted]",
        purchaseId: "keep",
      },
      list: [{ apiKey: "[redacted]" }],
    });
  });

  it("redacts the certificate credential's key material and passphrase", () => {
    const certificate = {
      privateKeyPem: "-----BEGIN PRIVATE KEY-----",
      privateKey: "pem",
      passphrase: "pw",
      thumbprint: "AB12",
    };
    expect(redactFields({ credentials: [{ certificate, label: "user1" }] })).toEqual({
      credentials: [
        {
          certificate: {
            privateKeyPem: "[redacted]",
            privateKey: "[redacted]",
            passphrase: "[redacted]",
            thumbprint: "AB12",
          },
          label: "user1",
        },
      ],
    });
  });

  it("writes one JSON line per entry", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (l) => lines.push(l), now: () => 0 });
    logger.log("info", "job", { purchaseId: "p", token: "secret" });
    logger.log("debug", "hidden");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      level: "info",
      msg: "job",
      purchaseId: "p",
      token: "[redacted]",
    });
  });

  it("pino writes the same redaction at any depth, and drops lines under the level", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (l) => lines.push(l), now: () => 0, minLevel: "warn" });
    logger.log("info", "below the level");
    logger.log("warn", "dataverse", {
      error: Object.assign(new Error("refused"), { code: "0x80040220" }),
      nested: [{ request: { headers: { Authorization: "Bearer abc" } } }],
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      level: "warn",
      msg: "dataverse",
      error: { name: "Error", message: "refused", code: "0x80040220" },
      nested: [{ request: { headers: { Authorization: "[redacted]" } } }],
    });
  });

  it("blanks the configured secret values wherever they appear: a message, an error, a URL", () => {
    const config = loadConfig(ENDPOINT_ENV);
    const secrets = collectSecretValues(config);
    expect(secrets).toEqual(
      expect.arrayContaining(["whsec_test_fake", "sk_test_x"].filter((s) => s.length >= 8)),
    );
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (l) => lines.push(l), now: () => 0, secrets });
    logger.log("error", "provider said: invalid key whsec_test_fake", {
      error: new Error('bad signature for "whsec_test_fake"'),
      url: "https://x.test/?k=whsec_test_fake",
    });
    expect(lines[0]).not.toContain("whsec_test_fake");
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: "provider said: invalid key [redacted]",
      url: "https://x.test/?k=[redacted]",
    });
  });

  it("LOG_LEVEL and LOG_FORMAT come from the environment; a wrong value is a config problem", () => {
    expect(loadConfig({ ...ENDPOINT_ENV, LOG_LEVEL: "DEBUG" }).observability).toMatchObject({
      logLevel: "debug",
      logFormat: "json",
    });
    expect(() => loadConfig({ ...ENDPOINT_ENV, LOG_LEVEL: "loud", LOG_FORMAT: "xml" })).toThrow(ConfigError);
    try {
      loadConfig({ ...ENDPOINT_ENV, LOG_LEVEL: "loud", LOG_FORMAT: "xml" });
    } catch (error) {
      expect(String((error as Error).message)).toContain(
        "LOG_LEVEL: must be one of debug, info, warn, error",
      );
      expect(String((error as Error).message)).toContain('LOG_FORMAT: must be "json" or "pretty"');
    }
  });

  it("tracing is configured from OTEL_EXPORTER_OTLP_ENDPOINT or the Application Insights connection string", () => {
    const otlp = loadConfig({ ...ENDPOINT_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" });
    expect(otlp.observability?.tracing).toMatchObject({
      otlpTracesUrl: "http://collector:4318/v1/traces",
      appInsightsConnectionString: null,
    });
    expect(() =>
      loadConfig({ ...ENDPOINT_ENV, APPLICATIONINSIGHTS_CONNECTION_STRING: "not-a-connection-string" }),
    ).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING: is not a connection string/);
    expect(loadConfig(ENDPOINT_ENV).observability?.tracing).toMatchObject({
      otlpTracesUrl: null,
      appInsightsConnectionString: null,
    });
  });

  it("LOG_FORMAT=pretty writes readable lines through pino-pretty, still redacted", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (l) => lines.push(l), now: () => 0, format: "pretty" });
    logger.log("warn", "job", { purchaseId: "p-1", token: "t0ps3cret" });
    expect(lines.join("")).toMatch(/WARN.*job/);
    expect(lines.join("")).toContain("p-1");
    expect(lines.join("")).not.toContain("t0ps3cret");
  });

  it("a full payment's logs carry ids and outcomes but no body, card data or secret", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    await h.settle();
    const text = JSON.stringify(h.logger.entries);
    expect(text).toContain(PURCHASE);
    expect(text).not.toContain("whsec_");
    expect(text).not.toContain("a@example.test");
    const webhook = h.logger.entries.find((e) => e.msg === "webhook")!;
    expect(Object.keys(webhook).sort()).toEqual([
      "durationMs",
      "level",
      "msg",
      "outcome",
      "provider",
      "providerPaymentId",
      "providerSessionId",
      "purchaseId",
      "signal",
      "type",
    ]);
  });
});
