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

  it("a finalize whose answer is lost after commit is settled by the probe: one registration", async () => {
    const { purchaseId, readableEventId } = registerOne();
    standIn.setFaults({
      dropAfterCommit: { segments: ["msevtmgt_FinalizeExternalRegistrationRequest"], times: 1 },
    });
    const before = standIn.state.stats.actionCalls["msevtmgt_FinalizeExternalRegistrationRequest"] ?? 0;
    try {
      const outcome = await createEventManagementApi(client).finalizeRegistration({
        purchaseId,
        readableEventId,
        userId: "",
      });
      expect(outcome.outcome).toBe("finalized");
    } finally {
      standIn.setFaults({ dropAfterCommit: null });
    }
    expect(
      (standIn.state.stats.actionCalls["msevtmgt_FinalizeExternalRegistrationRequest"] ?? 0) - before,
    ).toBe(1);
    expect(standIn.state.purchase(purchaseId).registrationIds).toHaveLength(1);
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
