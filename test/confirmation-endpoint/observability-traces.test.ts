// Traces of one purchase, exported to OpenTelemetry's in-memory exporter: the checkout, the
// webhook and each job are spans of the purchase's own trace (its id is the purchase GUID), with
// the provider, store and Dataverse calls under them, and no attribute holding personal data or a
// secret. Tracing off makes no span: the wrapped work is a plain call.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { purchaseTraceIds } from "../../confirmation-endpoint/observability/purchase-trace";
import { DEFAULT_OBSERVABILITY } from "../../confirmation-endpoint/observability/read-observability-env";
import { createTracing, NO_TRACING, startTracing } from "../../confirmation-endpoint/observability/tracing";
import type { Tracing } from "../../confirmation-endpoint/observability/tracing";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint } from "../../confirmation-endpoint/create-endpoint";
import { createJsonLogger, createMemoryLogger } from "../../confirmation-endpoint/logger";
import { createProviderSet } from "../../confirmation-endpoint/providers/registry";
import { FakeClock, FakeDataverse, FakeProvider, MINUTE } from "./fakes";
import { CONTACT, ENDPOINT_ENV, PORTAL, PURCHASE, T0, createHarness, payAndNotify } from "./harness";
import type { Harness } from "./harness";

let h: Harness | undefined;
let tracing: Tracing | undefined;
afterEach(async () => {
  await h?.close();
  await tracing?.shutdown();
  h = undefined;
  tracing = undefined;
});

async function tracedHarness(): Promise<{ harness: Harness; exporter: InMemorySpanExporter }> {
  const exporter = new InMemorySpanExporter();
  tracing = await startTracing(DEFAULT_OBSERVABILITY.tracing, { deploymentId: "test-deployment", exporter });
  const harness = createHarness({ tracing });
  harness.dataverse.addPurchase({
    purchaseId: PURCHASE,
    createdOn: new Date(T0).toISOString(),
    contactId: CONTACT,
  });
  return { harness, exporter };
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("one trace per purchase", () => {
  it("checkout → provider and Dataverse, webhook → store, jobs → provider and Dataverse, all in the purchase's trace", async () => {
    const { harness, exporter } = await tracedHarness();
    h = harness;
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    await h.settle();
    const spans = exporter.getFinishedSpans();
    const { traceId, parentSpanId } = purchaseTraceIds(PURCHASE);
    expect(traceId).toBe(PURCHASE.replace(/-/g, ""));

    const [checkout] = byName(spans, "checkout");
    const [webhook] = byName(spans, "webhook");
    const [payment] = byName(spans, "job payment");
    const [finalize] = byName(spans, "job finalize");
    for (const root of [checkout, webhook, payment, finalize]) {
      expect(root).toBeDefined();
      expect(root!.spanContext().traceId).toBe(traceId);
      expect(parentId(root!)).toBe(parentSpanId);
      expect(root!.attributes["purchase.id"]).toBe(PURCHASE);
    }
    const under = (root: ReadableSpan) =>
      spans.filter((s) => parentId(s) === root.spanContext().spanId).map((s) => s.name);
    expect(under(checkout!)).toEqual(
      expect.arrayContaining(["dataverse get_purchase_details", "stripe createCheckout"]),
    );
    expect(under(webhook!)).toEqual(["store record_webhook"]);
    expect(under(payment!)).toContain("stripe getPayment");
    expect(under(finalize!)).toContain("dataverse finalize_registration");
    expect(webhook!.attributes).toMatchObject({
      outcome: "stored",
      "provider.name": "stripe",
      "event.count": 1,
    });
    expect(finalize!.attributes).toMatchObject({ "job.kind": "finalize", outcome: "finalized" });
    const call = byName(spans, "dataverse finalize_registration")[0]!;
    expect(call.attributes).toMatchObject({
      "dataverse.action": "finalize_registration",
      outcome: "finalized",
    });
    // Every span of the flow is in this purchase's trace.
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
  });

  it("no span attribute, name, status or resource holds an e-mail, a name or a secret", async () => {
    const { harness, exporter } = await tracedHarness();
    h = harness;
    h.dataverse.finalizeScript.push({ kind: "reject", reason: "sold out for A. Attendee <a@example.test>" });
    await payAndNotify(h);
    await h.settle();
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(5);
    const seen = JSON.stringify(
      spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        status: s.status,
        events: s.events,
        resource: s.resource.attributes,
      })),
    );
    expect(seen).toContain(PURCHASE);
    expect(seen).not.toContain("@");
    expect(seen).not.toContain("Attendee");
    expect(seen).not.toContain("sold out");
    for (const [name, value] of Object.entries(ENDPOINT_ENV)) {
      if (/SECRET|KEY/.test(name)) expect(seen, name).not.toContain(value);
    }
    expect(seen).not.toContain("whsec_");
  });

  it("a failed call marks its span with the error's code, not its message", async () => {
    const { harness, exporter } = await tracedHarness();
    h = harness;
    h.dataverse.finalizeScript.push({
      kind: "throw",
      error: Object.assign(new Error("a@example.test"), { code: "EPIPE" }),
    });
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    await h.settle();
    const failed = exporter.getFinishedSpans().filter((s) => s.attributes["error.type"] !== undefined);
    expect(failed.map((s) => [s.name, s.attributes["error.type"], s.status.message])).toContainEqual([
      "dataverse finalize_registration",
      "EPIPE",
      "EPIPE",
    ]);
  });
});

describe("logs and traces", () => {
  it("a line written inside a span carries its trace and span ids; outside, none", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing(DEFAULT_OBSERVABILITY.tracing, { deploymentId: "d", exporter });
    const on = tracing;
    const lines: string[] = [];
    const logger = createJsonLogger({
      write: (l) => lines.push(l),
      now: () => 0,
      context: () => on.current(),
    });
    await on.root("job finalize", { purchaseId: PURCHASE }, async () => logger.log("info", "job"));
    logger.log("info", "outside");
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const [span] = exporter.getFinishedSpans();
    expect(inside).toMatchObject({ traceId: PURCHASE.replace(/-/g, ""), spanId: span!.spanContext().spanId });
    expect(outside).not.toHaveProperty("traceId");
  });
});

describe("tracing off", () => {
  it("is NO_TRACING without an exporter: the wrapped work runs as a plain call", async () => {
    const off = createTracing(DEFAULT_OBSERVABILITY.tracing, { deploymentId: "d" });
    expect(off).toBe(NO_TRACING);
    expect(await off.root("x", { purchaseId: PURCHASE }, async () => 42)).toBe(42);
  });

  it("loads the SDK lazily when on: spans made before it is ready wait for it and are exported", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = createTracing(DEFAULT_OBSERVABILITY.tracing, { deploymentId: "d", exporter });
    expect(tracing.enabled).toBe(true);
    await tracing.root("early", { purchaseId: PURCHASE }, () =>
      tracing!.child("inner", {}, async () => undefined),
    );
    expect(
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(["early", "inner"]);
  });
});

describe("OTLP export from the environment", () => {
  it("OTEL_EXPORTER_OTLP_ENDPOINT set: createEndpoint posts the checkout's spans to the collector, flushed on close", async () => {
    const bodies: string[] = [];
    const collector = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        bodies.push(`${req.url} ${body}`);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", () => resolve()));
    const dir = mkdtempSync(join(tmpdir(), "otlp-"));
    try {
      const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      const config = loadConfig({
        ...ENDPOINT_ENV,
        STORE_URL: `sqlite:${join(dir, "g.sqlite")}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
      });
      const clock = new FakeClock(T0 + 2 * MINUTE);
      const dataverse = new FakeDataverse();
      dataverse.addPurchase({
        purchaseId: PURCHASE,
        createdOn: new Date(T0).toISOString(),
        contactId: CONTACT,
      });
      const endpoint = createEndpoint(config, {
        clock,
        dataverse,
        providers: createProviderSet(new FakeProvider(clock)),
        logger: createMemoryLogger(),
      });
      expect(endpoint.tracing.enabled).toBe(true);
      const res = await endpoint.handler(
        new Request("http://127.0.0.1/v1/checkout", {
          method: "POST",
          headers: { "content-type": "application/json", origin: PORTAL },
          body: JSON.stringify({
            purchaseId: PURCHASE,
            readableEventId: "Paid_Event1479011247",
            userId: CONTACT,
            returnUrl: `${PORTAL}/pay/`,
          }),
        }),
      );
      expect(res.status, await res.clone().text()).toBe(200);
      await endpoint.close();
      const sent = bodies.join("\n");
      expect(sent).toContain("/v1/traces");
      expect(sent).toContain('"name":"checkout"');
      expect(sent).toContain('"name":"stripe createCheckout"');
      expect(sent).toContain(PURCHASE.replace(/-/g, ""));
      expect(sent).not.toContain("a@example.test");
    } finally {
      await new Promise<void>((resolve) => collector.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
