// Behaviour of the event-management actions in the stand-in: finalize semantics, expiry by the
// stand-in's clock, repeat calls, error bodies, the solution-version knobs, the RTM action, and the
// registration route the event site triggers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { SeedResult } from "../../sandbox/dataverse/seed-data";
import { accessToken, callApi, twoAttendees } from "./dataverse-helpers";

let s: DataverseStandIn;
let seed: SeedResult;
let token: string;
let t = Date.UTC(2026, 10, 26, 12, 0, 0);

beforeAll(async () => {
  // Tokens live a day here: these tests move the clock by hours, token expiry has its own test.
  s = await startDataverseStandIn({
    now: () => t,
    tokenLifetimeSeconds: 86_400,
    knobs: { portalUrl: "http://127.0.0.1:9" },
  });
  seed = s.seed();
  token = await accessToken(s);
});
afterAll(async () => {
  await s.close();
});

function registerPaid(mode: "outbound" | "rtm" = "outbound") {
  const reg = s.register({
    readableEventId: seed.paidEvent.readableEventId,
    attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[1]!.id]),
    mode,
  });
  if (!reg.purchaseId) throw new Error("no purchase id");
  return reg.purchaseId;
}

const finalize = (
  purchaseId: string,
  readable = "Sandbox_Summit_2026",
  headers: Record<string, string> = {},
) =>
  callApi(
    s,
    token,
    "POST",
    "msevtmgt_FinalizeExternalRegistrationRequest",
    { PurchaseId: purchaseId, ReadableEventId: readable, UserId: "" },
    headers,
  );

describe("msevtmgt_FinalizeExternalRegistrationRequest", () => {
  it("creates one registration per attendee, marks the purchase paid and processed, answers Success with OData headers", async () => {
    const id = registerPaid();
    const before = s.state.list("msevtmgt_eventregistrations").length;
    const res = await finalize(id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; odata.metadata=minimal");
    expect(res.headers.get("odata-version")).toBe("4.0");
    expect(res.headers.get("x-ms-service-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("date")).toBe(new Date(t).toUTCString());
    expect(res.body).toEqual({
      "@odata.context": `${s.url}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.msevtmgt_FinalizeExternalRegistrationRequestResponse`,
      status: "Success",
    });
    expect(s.state.list("msevtmgt_eventregistrations").length).toBe(before + 2);
    const p = s.state.purchase(id);
    expect(p).toMatchObject({ paid: true, processed: true, state: "completed" });
    expect(p.registrationIds).toHaveLength(2);
  });

  it("a second finalize creates nothing more and answers Success again", async () => {
    const id = registerPaid();
    expect((await finalize(id)).status).toBe(200);
    const count = s.state.list("msevtmgt_eventregistrations").length;
    const again = await finalize(id);
    expect(again.status).toBe(200);
    expect(again.body?.status).toBe("Success");
    expect(s.state.list("msevtmgt_eventregistrations").length).toBe(count);
  });

  it("refuses an expired purchase (50 minutes by the stand-in clock) with an OData error body", async () => {
    const id = registerPaid();
    t += 49 * 60_000;
    const row = await callApi(s, token, "GET", `msevtmgt_eventpurchases(${id})?$select=msevtmgt_processed`);
    expect(row.body?.msevtmgt_processed).toBe(false);
    t += 60_000;
    const res = await finalize(id);
    expect(res.status).toBe(400);
    expect((res.body?.error as Record<string, unknown>).code).toBe("0x80040265");
    expect(String((res.body?.error as Record<string, unknown>).message)).toMatch(/expired/);
    expect(s.state.purchase(id).processed).toBe(false);
  });

  it("just inside the window still finalizes; setClock/advance move the clock", async () => {
    const id = registerPaid();
    s.advance(49 * 60_000 + 59_000);
    expect(s.now()).toBe(t + 49 * 60_000 + 59_000);
    expect((await finalize(id)).status).toBe(200);
    // The shifted clock is what expiry reads: a purchase made now is past its window 50:01 later.
    const late = registerPaid();
    s.advance(50 * 60_000 + 1_000);
    expect((await finalize(late)).status).toBe(400);
    s.setClock(t);
    expect(s.now()).toBe(t);
  });

  it("answers unknown purchases and readable-id mismatches with 400 and a clear message; annotations on request", async () => {
    const unknown = await finalize("0f0f0f0f-0000-4000-8000-000000000000", "Sandbox_Summit_2026", {
      Prefer: 'odata.include-annotations="*"',
    });
    expect(unknown.status).toBe(400);
    const err = unknown.body?.error as Record<string, unknown>;
    expect(err.code).toBe("0x80040265");
    expect(err.message).toMatch(/0f0f0f0f-0000-4000-8000-000000000000 was not found/);
    expect(err["@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode"]).toBe("PurchaseNotFound");
    expect(err["@Microsoft.PowerApps.CDS.HelpLink"]).toContain("80040265");

    const id = registerPaid();
    const mismatch = await finalize(id, "Sandbox_Meetup_2026");
    expect(mismatch.status).toBe(400);
    expect((mismatch.body?.error as Record<string, unknown>).message).toMatch(/does not match/);
    expect(Object.keys(mismatch.body?.error as object)).toEqual(["code", "message"]);

    const missing = await callApi(s, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", {
      PurchaseId: id,
    });
    expect(missing.status).toBe(400);
    expect((missing.body?.error as Record<string, unknown>).message).toMatch(/ReadableEventId/);
    const extra = await callApi(s, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", {
      PurchaseId: id,
      ReadableEventId: "x",
      Amount: 1,
    });
    expect((extra.body?.error as Record<string, unknown>).message).toMatch(/'Amount'.*not a valid parameter/);
  });

  it("is case-sensitive and answers 404 0x8006088a for a misspelt action", async () => {
    const res = await callApi(s, token, "POST", "msevtmgt_finalizeexternalregistrationrequest", {
      PurchaseId: registerPaid(),
      ReadableEventId: "x",
    });
    expect(res.status).toBe(404);
    expect(res.body?.error).toEqual({
      code: "0x8006088a",
      message: "Resource not found for the segment 'msevtmgt_finalizeexternalregistrationrequest'.",
    });
  });
});

describe("solution-version knobs", () => {
  it("without ListDetailedPurchaseInfo: 404 for it, GetPurchaseDetailsAction still answers, $metadata lists what exists", async () => {
    const id = registerPaid();
    s.setKnobs({ listDetailedPurchaseInfo: false });
    try {
      const res = await callApi(s, token, "POST", "msevtmgt_ListDetailedPurchaseInfo", { PurchaseId: id });
      expect(res.status).toBe(404);
      expect(res.body?.error).toEqual({
        code: "0x8006088a",
        message: "Resource not found for the segment 'msevtmgt_ListDetailedPurchaseInfo'.",
      });
      const flat = await callApi(s, token, "POST", "msevtmgt_GetPurchaseDetailsAction", { PurchaseId: id });
      expect(flat.body).toMatchObject({ TotalAmount: 55, CurrencyIsoCode: "EUR" });
      const meta = await callApi(s, token, "GET", "$metadata");
      expect(meta.headers.get("content-type")).toContain("application/xml");
      expect(meta.text).not.toContain('Action Name="msevtmgt_ListDetailedPurchaseInfo"');
      expect(meta.text).toContain('<Action Name="msevtmgt_GetPurchaseDetailsAction">');
    } finally {
      s.setKnobs({ listDetailedPurchaseInfo: true });
    }
    const meta = await callApi(s, token, "GET", "$metadata");
    expect(meta.text).toContain('<Action Name="msevtmgt_ListDetailedPurchaseInfo">');
  });

  it("old solution: only adx_FinalizeExternalRegistrationRequest exists", async () => {
    const id = registerPaid();
    s.setKnobs({ finalizeActionPrefix: "adx" });
    try {
      expect((await finalize(id)).status).toBe(404);
      const adx = await callApi(s, token, "POST", "adx_FinalizeExternalRegistrationRequest", {
        PurchaseId: id,
        ReadableEventId: "Sandbox_Summit_2026",
        UserId: "",
      });
      expect(adx.body?.status).toBe("Success");
      expect(adx.body?.["@odata.context"]).toContain("adx_FinalizeExternalRegistrationRequestResponse");
    } finally {
      s.setKnobs({ finalizeActionPrefix: "msevtmgt" });
    }
  });
});

describe("RTM msevtmgt_finalizeregistrationpayment", () => {
  const pay = (id: string, status: number) =>
    callApi(s, token, "POST", "msevtmgt_finalizeregistrationpayment", {
      msevtmgt_purchaseid: id,
      msevtmgt_paymentstatus: status,
    });

  it("Completed confirms the registrations once (204), Cancelled releases the reservation", async () => {
    const passBefore = Number(
      s.state.get("msevtmgt_passes", seed.paidEvent.passes[0]!.id)?.msevtmgt_noofpassesleft,
    );
    const completed = registerPaid("rtm");
    const res = await pay(completed, 100000001);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(s.state.purchase(completed)).toMatchObject({ processed: true, state: "completed" });
    expect(s.state.purchase(completed).registrationIds).toHaveLength(2);
    expect((await pay(completed, 100000001)).status).toBe(204);
    expect(s.state.purchase(completed).registrationIds).toHaveLength(2);

    const cancelled = registerPaid("rtm");
    expect((await pay(cancelled, 100000000)).status).toBe(204);
    expect(s.state.purchase(cancelled).state).toBe("cancelled");
    expect(
      Number(s.state.get("msevtmgt_passes", seed.paidEvent.passes[0]!.id)?.msevtmgt_noofpassesleft),
    ).toBe(passBefore - 1);
    expect((await pay(cancelled, 100000001)).status).toBe(400);
    expect((await pay(completed, 100000000)).status).toBe(400);
    expect((await pay(completed, 42)).status).toBe(400);
  });

  it("rejects completion after the provider's payment timeout; outbound finalize refuses RTM purchases", async () => {
    const id = registerPaid("rtm");
    expect((await finalize(id)).status).toBe(400);
    t += 16 * 60_000;
    const res = await pay(id, 100000001);
    expect(res.status).toBe(400);
    expect(s.state.purchase(id).state).toBe("cancelled");
  });
});

describe("registration route and table reads", () => {
  it("POST /sandbox/events/<rid>/register answers Redirect to the gateway page for a paid event, Success for a free one", async () => {
    const res = await fetch(`${s.url}/sandbox/events/Sandbox_Summit_2026/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[0]!.id]),
      }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(res.status).toBe(200);
    expect(body.status).toBe("Redirect");
    expect(body.redirectUrl).toBe(
      `http://127.0.0.1:9/payment-gateway/?id=Sandbox_Summit_2026&purchaseId=${body.purchaseId}`,
    );
    expect(s.state.purchase(body.purchaseId!).totalPrice).toBe(80);

    const free = s.register({
      readableEventId: "Sandbox_Meetup_2026",
      attendees: [{ firstName: "Grace", lastName: "Hopper", email: "grace@example.com" }],
    });
    expect(free.status).toBe("Success");
    expect(s.state.purchase(free.purchaseId!).registrationIds).toHaveLength(1);

    const preflight = await fetch(`${s.url}/sandbox/events/Sandbox_Summit_2026/register`, {
      method: "OPTIONS",
      headers: { Origin: "http://127.0.0.1:9" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:9");
    const foreign = await fetch(`${s.url}/sandbox/events/Sandbox_Summit_2026/register`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example" },
    });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    // A form post (what a page on another site can send without a preflight) changes nothing.
    const purchases = s.state.list("msevtmgt_eventpurchases").length;
    const form = await fetch(`${s.url}/sandbox/events/Sandbox_Summit_2026/register`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({
        attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[0]!.id]),
      }),
    });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: { message: string } }).error.message).toMatch(
      /Content-Type: application\/json/,
    );
    expect(s.state.list("msevtmgt_eventpurchases")).toHaveLength(purchases);

    const bad = await fetch(`${s.url}/sandbox/events/Sandbox_Summit_2026/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attendees: [{ email: "x@y.z" }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /choose one of the event's passes/,
    );
  });

  it("without a gateway page the site is sent to the demo payment page (Initiated); RTM answers the provider page URL", async () => {
    await callApi(s, token, "PATCH", `msevtmgt_events(${seed.paidEvent.id})`, {
      "msevtmgt_portalpaymentgatewayid@odata.bind": null,
    });
    const demo = s.register({
      readableEventId: "Sandbox_Summit_2026",
      attendees: twoAttendees([seed.paidEvent.passes[1]!.id, seed.paidEvent.passes[1]!.id]),
    });
    expect(demo.status).toBe("Initiated");
    expect(demo.redirectUrl).toContain(
      "/event/payment?id=Sandbox_Summit_2026&currencySymbol=%E2%82%AC&purchaseId=",
    );
    await callApi(s, token, "PATCH", `msevtmgt_events(${seed.paidEvent.id})`, {
      "msevtmgt_portalpaymentgatewayid@odata.bind": `/adx_webpages(${seed.gatewayWebPageId})`,
    });

    const rtm = s.register({
      readableEventId: "Sandbox_Summit_2026",
      attendees: twoAttendees([seed.paidEvent.passes[1]!.id, seed.paidEvent.passes[1]!.id]),
      mode: "rtm",
      returnUrl: "https://site.example/done",
    });
    expect(rtm.redirectUrl).toBe(
      `http://127.0.0.1:7071/v1/rtm/pay?purchaseId=${rtm.purchaseId}&returnUrl=https%3A%2F%2Fsite.example%2Fdone`,
    );
  });

  it("reads with $select, $filter, $expand, $top and rejects unknown columns", async () => {
    const passes = await callApi(
      s,
      token,
      "GET",
      `msevtmgt_passes?$select=msevtmgt_name,msevtmgt_passprice&$filter=_msevtmgt_eventid_value eq ${seed.paidEvent.id} and msevtmgt_passprice eq 15`,
    );
    expect(passes.body?.["@odata.context"]).toBe(
      `${s.url}/api/data/v9.2/$metadata#msevtmgt_passes(msevtmgt_name,msevtmgt_passprice)`,
    );
    expect((passes.body?.value as Array<Record<string, unknown>>).map((p) => p.msevtmgt_name)).toEqual([
      "Day ticket",
    ]);
    const top = await callApi(
      s,
      token,
      "GET",
      "contacts?$select=emailaddress1&$top=1&$orderby=emailaddress1 desc&$count=true",
    );
    expect(top.body?.value).toHaveLength(1);
    expect(Number(top.body?.["@odata.count"])).toBeGreaterThan(1);
    const unsupported = await callApi(s, token, "GET", "contacts?$apply=groupby((fullname))");
    expect(unsupported.status).toBe(400);
    expect((unsupported.body?.error as Record<string, unknown>).message).toMatch(/\$apply.*not supported/);
    const or = await callApi(s, token, "GET", "contacts?$filter=firstname eq 'Ada' or firstname eq 'Grace'");
    expect(or.status).toBe(400);
    const admin = await callApi(
      s,
      token,
      "GET",
      "msevtmgt_eventadministrations?$select=msevtmgt_enabledemopaymentconfirmation",
    );
    expect(
      (admin.body?.value as Array<Record<string, unknown>>)[0]?.msevtmgt_enabledemopaymentconfirmation,
    ).toBe(false);
    const providers = await callApi(
      s,
      token,
      "GET",
      "msevtmgt_paymentproviders?$select=msevtmgt_paymentpageurl,msevtmgt_paymenttimeout",
    );
    expect((providers.body?.value as Array<Record<string, unknown>>)[0]?.msevtmgt_paymenttimeout).toBe(15);
    const unknownColumn = await callApi(s, token, "GET", "msevtmgt_events?$select=msevtmgt_nosuchcolumn");
    expect(unknownColumn.status).toBe(400);
    expect((unknownColumn.body?.error as Record<string, unknown>).code).toBe("0x80060888");
    const missing = await callApi(
      s,
      token,
      "GET",
      "msevtmgt_eventpurchases(0f0f0f0f-0000-4000-8000-000000000000)",
    );
    expect(missing.status).toBe(404);
    expect((missing.body?.error as Record<string, unknown>).code).toBe("0x80040217");
    const readOnly = await callApi(s, token, "PATCH", `msevtmgt_eventpurchases(${registerPaid()})`, {
      msevtmgt_paid: true,
    });
    expect(readOnly.status).toBe(403);
  });

  it("PATCH on the Event administration with If-Match, and EntityDefinitions for the gateway lookup", async () => {
    const path = `msevtmgt_eventadministrations(${seed.eventAdministrationId})`;
    const current = await callApi(s, token, "GET", path);
    const stale = await callApi(
      s,
      token,
      "PATCH",
      path,
      { msevtmgt_enabledemopaymentconfirmation: true },
      { "If-Match": 'W/"1"' },
    );
    expect(stale.status).toBe(412);
    const ok = await callApi(
      s,
      token,
      "PATCH",
      path,
      { msevtmgt_enabledemopaymentconfirmation: true },
      { "If-Match": String(current.body?.["@odata.etag"]), Prefer: "return=representation" },
    );
    expect(ok.status).toBe(200);
    expect(ok.body?.msevtmgt_enabledemopaymentconfirmation).toBe(true);
    const wrongTarget = await callApi(s, token, "PATCH", `msevtmgt_events(${seed.paidEvent.id})`, {
      "msevtmgt_portalpaymentgatewayid@odata.bind": `/contacts(${seed.contacts[0]!.id})`,
    });
    expect(wrongTarget.status).toBe(400);
    const defs = await callApi(
      s,
      token,
      "GET",
      "EntityDefinitions(LogicalName='msevtmgt_eventadministration')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets",
    );
    expect(defs.body?.value).toEqual([
      expect.objectContaining({
        LogicalName: "msevtmgt_defaultportalpaymentgatewayid",
        Targets: ["adx_webpage"],
      }),
    ]);
  });
});
