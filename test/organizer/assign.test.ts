// `assign` against the Dataverse stand-in, through the kit's real Dataverse client: the lookup is
// discovered from metadata (the stand-in's column names are renamed to prove nothing is
// hard-coded), every warning, and bad input that changes nothing.
import { afterEach, describe, expect, it } from "vitest";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { connectKitClient } from "../sandbox/dataverse-helpers";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";
import { assignGateway, type AssignInput } from "../../scripts/organizer/assign-gateway";

let dv: DataverseStandIn | undefined;
let client: DataverseClient | undefined;
afterEach(async () => {
  client?.close();
  await dv?.close();
  dv = undefined;
  client = undefined;
});

const RENAMED = {
  eventGatewayLookup: "new_paymentpagelookup",
  adminDefaultGatewayLookup: "new_defaultpaymentpage",
  adminDemoPayment: "new_democonfirmationenabled",
  eventSessionRegistration: "new_sessionregistration",
};

async function setUp(options: { demo?: boolean } = {}) {
  dv = await startDataverseStandIn({ names: RENAMED });
  const seed = dv.seed({ assignGateway: false, demoPaymentConfirmation: options.demo ?? false });
  client = connectKitClient(dv, { maxAttempts: 2 });
  return { seed, client, dv };
}

const base = (over: Partial<AssignInput>): AssignInput => ({
  events: [],
  allPaid: false,
  setDefault: false,
  partialUrl: "payment-gateway",
  pageName: "Payment Gateway",
  ...over,
});

describe("assign the gateway", () => {
  it("finds the renamed lookup in metadata and points the event at the kit's page", async () => {
    const { seed, client, dv } = await setUp();
    const log: string[] = [];
    const report = await assignGateway(client, base({ events: [seed.paidEvent.readableEventId] }), (l) =>
      log.push(l),
    );
    expect(report.lookup).toBe("new_paymentpagelookup");
    expect(report.page).toEqual({ id: seed.gatewayWebPageId, table: "adx_webpage" });
    expect(report.assigned.map((e) => e.readableEventId)).toEqual([seed.paidEvent.readableEventId]);
    expect(report.warnings).toEqual([]);
    expect(dv.state.get("msevtmgt_events", seed.paidEvent.id)?._new_paymentpagelookup_value).toBe(
      seed.gatewayWebPageId,
    );
  });

  it("refuses an unknown event and changes nothing, not even the known ones named with it", async () => {
    const { seed, client, dv } = await setUp();
    await expect(
      assignGateway(client, base({ events: [seed.paidEvent.readableEventId, "No_Such_Event"] }), () => {}),
    ).rejects.toThrow(/No event has the readable id "No_Such_Event".*nothing was changed/s);
    expect(
      dv.state.get("msevtmgt_events", seed.paidEvent.id)?._new_paymentpagelookup_value ?? null,
    ).toBeNull();
  });

  it("warns about an event with no pass, session-level registration and demo payment confirmation", async () => {
    const { seed, client } = await setUp({ demo: true });
    await client.patch(`msevtmgt_events(${seed.paidEvent.id})`, { new_sessionregistration: true });
    const report = await assignGateway(
      client,
      base({ events: [seed.paidEvent.readableEventId, seed.freeEvent.readableEventId] }),
      () => {},
    );
    expect(report.warnings).toEqual([
      expect.stringMatching(new RegExp(`${seed.paidEvent.readableEventId} uses session-level registration`)),
      expect.stringMatching(new RegExp(`${seed.freeEvent.readableEventId} has no pass`)),
      expect.stringMatching(/demo payment confirmation ON/),
    ]);
  });

  it("--all-paid takes only events with passes; --default sets the Event administration's default", async () => {
    const { seed, client, dv } = await setUp();
    const report = await assignGateway(client, base({ allPaid: true, setDefault: true }), () => {});
    expect(report.assigned.map((e) => e.eventId)).toEqual([seed.paidEvent.id]);
    expect(report.defaultSet).toBe(true);
    expect(
      dv.state.get("msevtmgt_eventadministrations", seed.eventAdministrationId)
        ?._new_defaultpaymentpage_value,
    ).toBe(seed.gatewayWebPageId);
    expect(
      dv.state.get("msevtmgt_events", seed.freeEvent.id)?._new_paymentpagelookup_value ?? null,
    ).toBeNull();
  });

  it("says when the page is not there yet, or the named page id does not exist", async () => {
    const { seed, client } = await setUp();
    await expect(
      assignGateway(
        client,
        base({ events: [seed.paidEvent.readableEventId], partialUrl: "not-deployed" }),
        () => {},
      ),
    ).rejects.toThrow(/deploy the gateway page first/);
    await expect(
      assignGateway(
        client,
        base({ events: [seed.paidEvent.readableEventId], webPageId: "00000000-0000-4000-8000-000000000000" }),
        () => {},
      ),
    ).rejects.toThrow(/check --web-page-id/);
  });

  it("asks for --lookup when two lookups could be the gateway", async () => {
    const { seed, client } = await setUp();
    await expect(
      assignGateway(
        client,
        base({ events: [seed.paidEvent.readableEventId], lookup: "new_nothing" }),
        () => {},
      ),
    ).rejects.toThrow(/no lookup named new_nothing/);
  });
});
