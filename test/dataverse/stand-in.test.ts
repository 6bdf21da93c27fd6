// The client against the sandbox's Dataverse stand-in (another folder's code): the shapes both sides
// agreed on really meet: token endpoint, ListDetailedPurchaseInfo's JSON-string output, finalize,
// the purchase read with the RTM price, and the RTM finalize.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { createDataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import { createEventManagementApi } from "../../confirmation-endpoint/dataverse/event-management-api";

let standIn: DataverseStandIn;
let client: DataverseClient;

beforeAll(async () => {
  standIn = await startDataverseStandIn({});
  standIn.seed();
  client = createDataverseClient({
    url: standIn.url,
    tenantId: standIn.tenantId,
    clientId: standIn.clientId,
    credentials: [{ clientSecret: standIn.clientSecret }],
    authorityHost: standIn.authorityHost,
  });
});

afterAll(async () => {
  client?.close();
  await standIn?.close();
});

describe("against the sandbox's Dataverse stand-in", () => {
  it("prices, finalizes and reads an outbound purchase", async () => {
    const seeded = standIn.seed();
    const registration = standIn.register({
      readableEventId: seeded.paidEvent.readableEventId,
      attendees: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: seeded.paidEvent.passes[0]?.id ?? null }],
    });
    const purchaseId = registration.purchaseId!;
    const api = createEventManagementApi(client);
    const details = await api.getPurchaseDetails(purchaseId);
    expect(details.currency).toMatch(/^[A-Z]{3}$/);
    expect(details.amountMinor).toBe(Math.round((seeded.paidEvent.passes[0]?.price ?? 0) * 100));
    expect(details.attendees).toHaveLength(1);
    const before = await api.readPurchase(purchaseId);
    expect(before).toMatchObject({ purchaseId, processed: false });
    const outcome = await api.finalizeRegistration({ purchaseId, readableEventId: seeded.paidEvent.readableEventId, userId: "" });
    expect(outcome.outcome).toBe("finalized");
    expect(standIn.state.purchase(purchaseId).processed).toBe(true);
    expect((await api.readPurchase(purchaseId))?.processed).toBe(true);
    expect(client.metrics().tokenRequests).toBe(1);
  });

  it("a finalize whose answer is lost after commit is settled by the probe: one registration", async () => {
    const seeded = standIn.seed();
    const registration = standIn.register({
      readableEventId: seeded.paidEvent.readableEventId,
      attendees: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: seeded.paidEvent.passes[0]?.id ?? null }],
    });
    const purchaseId = registration.purchaseId!;
    standIn.setFaults({ dropAfterCommit: { segments: ["msevtmgt_FinalizeExternalRegistrationRequest"], times: 1 } });
    const before = standIn.state.stats.actionCalls["msevtmgt_FinalizeExternalRegistrationRequest"] ?? 0;
    try {
      const outcome = await createEventManagementApi(client).finalizeRegistration({
        purchaseId,
        readableEventId: seeded.paidEvent.readableEventId,
        userId: "",
      });
      expect(outcome.outcome).toBe("finalized");
    } finally {
      standIn.setFaults({ dropAfterCommit: null });
    }
    expect((standIn.state.stats.actionCalls["msevtmgt_FinalizeExternalRegistrationRequest"] ?? 0) - before).toBe(1);
    expect(standIn.state.purchase(purchaseId).registrationIds).toHaveLength(1);
  });

  it("rides out the stand-in's service protection with Retry-After", async () => {
    // Time-scaled like the benchmarks: the stand-in runs 10x fast, so the client's clock runs 10x
    // fast too and its sleeps last a tenth (clock and sleep must be scaled together).
    const scale = 10;
    const origin = Date.now();
    standIn.setLimits({ requestsPerWindow: 4, windowMs: 2000, timeScale: scale });
    const scaled = createDataverseClient({
      url: standIn.url,
      tenantId: standIn.tenantId,
      clientId: standIn.clientId,
      credentials: [{ clientSecret: standIn.clientSecret }],
      authorityHost: standIn.authorityHost,
      now: () => origin + (Date.now() - origin) * scale,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / scale)),
    });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => scaled.get("WhoAmI")));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(scaled.metrics().throttles).toBeGreaterThan(0);
    } finally {
      scaled.close();
      standIn.setLimits({ requestsPerWindow: 6000, windowMs: 300_000, timeScale: 1 });
    }
  });

  it("reads the RTM price and completes the RTM payment", async () => {
    const seeded = standIn.seed();
    const registration = standIn.register({
      readableEventId: seeded.paidEvent.readableEventId,
      attendees: [{ firstName: "Grace", lastName: "Hopper", email: "grace@example.com", passId: seeded.paidEvent.passes[0]?.id ?? null }],
      mode: "rtm",
    });
    const purchaseId = registration.purchaseId!;
    const api = createEventManagementApi(client);
    const row = await api.readPurchase(purchaseId);
    expect(row?.currency).toMatch(/^[A-Z]{3}$/);
    expect(row?.totalMinor).toBe(Math.round((seeded.paidEvent.passes[0]?.price ?? 0) * 100));
    await api.finalizeRtmPayment(purchaseId, "completed");
    expect(standIn.state.purchase(purchaseId).paid).toBe(true);
  });
});
