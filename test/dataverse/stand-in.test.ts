// The client against the sandbox's Dataverse stand-in (another folder's code): the shapes both sides
// agreed on really meet: token endpoint, ListDetailedPurchaseInfo's JSON-string output, finalize,
// the purchase read with the RTM price, and the RTM finalize.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectKitClient } from "../sandbox/dataverse-helpers";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import { createEventManagementApi } from "../../confirmation-endpoint/dataverse/event-management-api";

let standIn: DataverseStandIn;
let client: DataverseClient;

beforeAll(async () => {
  standIn = await startDataverseStandIn({});
  standIn.seed();
  client = connectKitClient(standIn);
});

afterAll(async () => {
  client?.close();
  await standIn?.close();
});

/** Seeds the stand-in and registers one attendee for the first pass of its paid event. */
function registerOne(mode?: "rtm") {
  const seeded = standIn.seed();
  const pass = seeded.paidEvent.passes[0]!;
  const registration = standIn.register({
    readableEventId: seeded.paidEvent.readableEventId,
    attendees: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: pass.id }],
    ...(mode ? { mode } : {}),
  });
  return {
    purchaseId: registration.purchaseId!,
    readableEventId: seeded.paidEvent.readableEventId,
    priceMinor: Math.round(pass.price * 100),
  };
}

describe("against the sandbox's Dataverse stand-in", () => {
  it("prices, finalizes and reads an outbound purchase", async () => {
    const { purchaseId, readableEventId, priceMinor } = registerOne();
    const api = createEventManagementApi(client);
    const details = await api.getPurchaseDetails(purchaseId);
    expect(details.currency).toMatch(/^[A-Z]{3}$/);
    expect(details.amountMinor).toBe(priceMinor);
    expect(details.attendees).toHaveLength(1);
    const before = await api.readPurchase(purchaseId);
    expect(before).toMatchObject({ purchaseId, processed: false });
    const outcome = await api.finalizeRegistration({ purchaseId, readableEventId, userId: "" });
    expect(outcome.outcome).toBe("finalized");
    expect(standIn.state.purchase(purchaseId).processed).toBe(true);
    expect((await api.readPurchase(purchaseId))?.processed).toBe(true);
    expect(client.metrics().tokenRequests).toBe(1);
  });

  it("a finalize whose answer is lost after commit is reported ambiguous; the row read shows it ran once", async () => {
    const { purchaseId, readableEventId } = registerOne();
    standIn.setFaults({
      dropAfterCommit: { segments: ["msevtmgt_FinalizeExternalRegistrationRequest"], times: 1 },
    });
    const before = standIn.state.stats.actionCalls["msevtmgt_FinalizeExternalRegistrationRequest"] ?? 0;
    const api = createEventManagementApi(client);
    try {
      await expect(
        api.finalizeRegistration({ purchaseId, readableEventId, userId: "" }),
      ).rejects.toMatchObject({
        ambiguous: true,
      });
    } finally {
      standIn.setFaults({ dropAfterCommit: null });
    }
    // What the worker's probe sees before it would resend: processed, so nothing is sent again.
    expect((await api.readPurchase(purchaseId))?.processed).toBe(true);
    expect(
      (standIn.state.stats.actionCalls["msevtmgt_FinalizeExternalRegistrationRequest"] ?? 0) - before,
    ).toBe(1);
    expect(standIn.state.purchase(purchaseId).registrationIds).toHaveLength(1);
  });
});

describe("the stand-in's answers for a missing purchase", () => {
  it("a well-formed but unknown purchase id is PURCHASE_NOT_FOUND in every action the kit calls", async () => {
    const unknown = "0f0f0f0f-0000-4000-8000-000000000000";
    const api = createEventManagementApi(client);
    await expect(api.getPurchaseDetails(unknown)).rejects.toMatchObject({ code: "PURCHASE_NOT_FOUND" });
    expect(await api.readPurchase(unknown)).toBeNull();
    const outcome = await api.finalizeRegistration({ purchaseId: unknown, readableEventId: "x", userId: "" });
    expect(outcome).toMatchObject({ outcome: "rejected", code: "PURCHASE_NOT_FOUND" });
    await expect(api.finalizeRtmPayment(unknown, "cancelled")).rejects.toMatchObject({
      code: "PURCHASE_NOT_FOUND",
    });
  });

  it("rides out the stand-in's service protection with Retry-After", async () => {
    // Time-scaled like the benchmarks: the stand-in runs 10x fast, so the client's clock runs 10x
    // fast too and its sleeps last a tenth (clock and sleep must be scaled together).
    const scale = 10;
    const origin = Date.now();
    standIn.setLimits({ requestsPerWindow: 4, windowMs: 2000, timeScale: scale });
    const scaled = connectKitClient(standIn, {
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
    const { purchaseId, priceMinor } = registerOne("rtm");
    const api = createEventManagementApi(client);
    const row = await api.readPurchase(purchaseId);
    expect(row?.currency).toMatch(/^[A-Z]{3}$/);
    expect(row?.totalMinor).toBe(priceMinor);
    await api.finalizeRtmPayment(purchaseId, "completed");
    expect(standIn.state.purchase(purchaseId).paid).toBe(true);
  });
});
