import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import {
  DataverseError,
  DeadlineExceededError,
  isPurchaseNotFound,
} from "../../confirmation-endpoint/dataverse/errors";
import { createEventManagementApi } from "../../confirmation-endpoint/dataverse/event-management-api";
import type { EventManagementApiOptions } from "../../confirmation-endpoint/dataverse/event-management-api";
import { API, dataverseError, fakeClock, startFakeDataverse } from "./fake-dataverse";
import type { FakeDataverse } from "./fake-dataverse";

const PID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const CONTACT = "6b29fc40-ca47-1067-b31d-00dd010662da";
const FINALIZE = `${API}msevtmgt_FinalizeExternalRegistrationRequest`;
const ADX_FINALIZE = `${API}adx_FinalizeExternalRegistrationRequest`;
const PROBE = `${API}msevtmgt_eventpurchases(${PID})?$select=msevtmgt_paid,msevtmgt_processed,createdon,_msevtmgt_purchasingcontactid_value`;
const NOT_FOUND_SEGMENT = (name: string) =>
  dataverseError(404, "0x8006088a", `Resource not found for the segment '${name}'.`);
/** The stand-in's answer for a well-formed but unknown purchase id (sandbox/dataverse/purchase-model.ts). */
const UNKNOWN_PURCHASE = () => ({
  status: 400,
  body: {
    error: {
      code: "0x80040265",
      message: `Purchase ${PID} was not found. Check the id, or register again.`,
      "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode": "PurchaseNotFound",
    },
  },
});

let fake: FakeDataverse;
let clock: ReturnType<typeof fakeClock>;
let client: DataverseClient;

beforeEach(async () => {
  fake = await startFakeDataverse();
  clock = fakeClock();
  client = createDataverseClient({
    url: fake.url,
    tenantId: fake.tenantId,
    clientId: "11111111-1111-1111-1111-111111111111",
    credentials: [{ clientSecret: "s" }],
    authorityHost: fake.url,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    timeoutMs: 150,
  });
});

afterEach(async () => {
  client.close();
  await fake.close();
});

function api(options: EventManagementApiOptions = {}) {
  return createEventManagementApi(client, options);
}

const standInDetails = {
  "@odata.context": `${"http://x"}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.msevtmgt_ListDetailedPurchaseInfoResponse`,
  PurchaseDetails: JSON.stringify({
    EventName: "Contoso Summit",
    ReadableEventId: "Contoso_Summit_2026",
    TotalAmount: 125.5,
    CurrencyIsoCode: "EUR",
    CurrencySymbol: "€",
    Attendees: [
      {
        FirstName: "Ada",
        LastName: "Lovelace",
        Email: "ada@example.com",
        PassName: "Full pass",
        PassPrice: 100,
      },
      {
        FirstName: "Alan",
        LastName: "Turing",
        Email: "alan@example.com",
        PassName: "Workshop",
        PassPrice: "25.50",
      },
    ],
  }),
};

const row =
  (processed: boolean | null, paid: boolean | null = true) =>
  () => ({
    status: 200,
    body: {
      "@odata.etag": 'W/"1"',
      msevtmgt_eventpurchaseid: PID,
      msevtmgt_paid: paid,
      msevtmgt_processed: processed,
      createdon: "2026-01-15T09:55:00Z",
      _msevtmgt_purchasingcontactid_value: CONTACT.toUpperCase(),
    },
  });

describe("getPurchaseDetails", () => {
  it("parses the stand-in's ListDetailedPurchaseInfo answer and sends the exact request", async () => {
    fake.expect("POST", `${API}msevtmgt_ListDetailedPurchaseInfo`, () => ({
      status: 200,
      body: standInDetails,
    }));
    const details = await api().getPurchaseDetails(`{${PID.toUpperCase()}}`);
    fake.assertDone();
    expect(fake.requests[0]?.body).toBe(JSON.stringify({ PurchaseId: PID }));
    expect(details).toEqual({
      purchaseId: PID,
      eventName: "Contoso Summit",
      readableEventId: "Contoso_Summit_2026",
      amountMinor: 12550,
      currency: "EUR",
      attendees: [
        { name: "Ada Lovelace", email: "ada@example.com", passName: "Full pass", amountMinor: 10000 },
        { name: "Alan Turing", email: "alan@example.com", passName: "Workshop", amountMinor: 2550 },
      ],
      source: "msevtmgt_ListDetailedPurchaseInfo",
    });
  });

  it("falls back to GetPurchaseDetailsAction on 404 0x8006088a and remembers it", async () => {
    fake.expect("POST", `${API}msevtmgt_ListDetailedPurchaseInfo`, () =>
      NOT_FOUND_SEGMENT("msevtmgt_ListDetailedPurchaseInfo"),
    );
    fake.expect(
      "POST",
      `${API}msevtmgt_GetPurchaseDetailsAction`,
      () => ({
        status: 200,
        body: { "@odata.context": "…", EventName: "Old org", Amount: "40", IsoCurrencyCode: "jpy" },
      }),
      2,
    );
    const a = api();
    const first = await a.getPurchaseDetails(PID);
    const second = await a.getPurchaseDetails(PID);
    fake.assertDone();
    expect(first).toMatchObject({
      amountMinor: 40,
      currency: "JPY",
      source: "msevtmgt_GetPurchaseDetailsAction",
      attendees: [],
    });
    expect(second.source).toBe("msevtmgt_GetPurchaseDetailsAction");
  });

  it("fails closed with UNPARSEABLE_PURCHASE carrying the redacted body", async () => {
    fake.expect("POST", `${API}msevtmgt_ListDetailedPurchaseInfo`, () => ({
      status: 200,
      body: {
        PurchaseDetails: JSON.stringify({
          EventName: "X",
          Price: "12.50",
          CurrencySymbol: "€",
          Attendees: [{ Email: "ada@example.com" }],
        }),
      },
    }));
    const error = await api()
      .getPurchaseDetails(PID)
      .catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ code: "UNPARSEABLE_PURCHASE", retryable: false });
    const raw = ((error as DataverseError).detail as { rawBody: string }).rawBody;
    expect(raw).toContain("CurrencySymbol");
    expect(raw).not.toContain("ada@example.com");
  });

  it("maps an empty answer and a plain 404 to PURCHASE_NOT_FOUND; a bad id never reaches Dataverse", async () => {
    fake.expect("POST", `${API}msevtmgt_ListDetailedPurchaseInfo`, () => ({
      status: 200,
      body: { "@odata.context": "…", PurchaseDetails: null },
    }));
    fake.expect("POST", `${API}msevtmgt_ListDetailedPurchaseInfo`, () =>
      dataverseError(404, "0x80040217", "msevtmgt_eventpurchase With Id = … Does Not Exist"),
    );
    const a = api();
    await expect(a.getPurchaseDetails(PID)).rejects.toMatchObject({
      code: "PURCHASE_NOT_FOUND",
      status: 404,
    });
    await expect(a.getPurchaseDetails(PID)).rejects.toMatchObject({
      code: "PURCHASE_NOT_FOUND",
      status: 404,
    });
    await expect(a.getPurchaseDetails("not-a-guid")).rejects.toMatchObject({ code: "INVALID_PURCHASE_ID" });
    fake.assertDone();
  });
});

describe("purchase not found", () => {
  const LIST = `${API}msevtmgt_ListDetailedPurchaseInfo`;

  it("the stand-in's 400 0x80040265 'was not found' becomes PURCHASE_NOT_FOUND, keeping Dataverse's answer", async () => {
    fake.expect("POST", LIST, UNKNOWN_PURCHASE);
    const error = await api()
      .getPurchaseDetails(PID)
      .catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ code: "PURCHASE_NOT_FOUND", status: 404, retryable: false });
    expect((error as DataverseError).cause).toMatchObject({ status: 400, code: "0x80040265" });
    expect(isPurchaseNotFound(error)).toBe(true);
  });

  it("other refusals with the same plug-in code stay refusals", async () => {
    fake.expect("POST", LIST, () => dataverseError(400, "0x80040265", "Purchase has expired."));
    const error = await api()
      .getPurchaseDetails(PID)
      .catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({ code: "0x80040265", status: 400 });
    expect(isPurchaseNotFound(error)).toBe(false);
  });

  it("the rules are configurable", async () => {
    fake.expect("POST", LIST, () => dataverseError(400, "0x80040265", "Registration inconnue"), 2);
    const custom = api({ purchaseNotFound: [{ code: "0x80040265", message: /inconnue/ }] });
    await expect(custom.getPurchaseDetails(PID)).rejects.toMatchObject({ code: "PURCHASE_NOT_FOUND" });
    await expect(api().getPurchaseDetails(PID)).rejects.toMatchObject({ code: "0x80040265" });
    fake.assertDone();
  });

  it("the row read answers null for a missing purchase, but a missing entity set is an error", async () => {
    fake.expect("GET", PROBE, UNKNOWN_PURCHASE);
    fake.expect("GET", PROBE, () => NOT_FOUND_SEGMENT("msevtmgt_eventpurchases"));
    const a = api({ purchasePrice: "never" });
    expect(await a.readPurchase(PID)).toBeNull();
    await expect(a.readPurchase(PID)).rejects.toMatchObject({ status: 404, code: "0x8006088a" });
    fake.assertDone();
  });

  it("the RTM payment finalize of an unknown purchase throws PURCHASE_NOT_FOUND", async () => {
    fake.expect("POST", `${API}msevtmgt_finalizeregistrationpayment`, UNKNOWN_PURCHASE);
    await expect(api().finalizeRtmPayment(PID, "cancelled")).rejects.toMatchObject({
      code: "PURCHASE_NOT_FOUND",
      retryable: false,
    });
    fake.assertDone();
  });
});

describe("finalizeRegistration", () => {
  const input = { purchaseId: PID, readableEventId: "Paid_Event1479011247", userId: CONTACT };

  it("sends PurchaseId, ReadableEventId and UserId as strings and accepts a success status", async () => {
    fake.expect("POST", FINALIZE, () => ({
      status: 200,
      body: { "@odata.context": "…", status: "Success" },
    }));
    const outcome = await api().finalizeRegistration({ ...input, userId: "" });
    fake.assertDone();
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({
      PurchaseId: PID,
      ReadableEventId: "Paid_Event1479011247",
      UserId: "",
    });
    expect(outcome).toEqual({
      outcome: "finalized",
      status: "Success",
      actionName: "msevtmgt_FinalizeExternalRegistrationRequest",
    });
  });

  it("compares status case-insensitively against the configured set", async () => {
    fake.expect("POST", FINALIZE, () => ({ status: 200, body: { Status: "completed" } }));
    const outcome = await api({ successStatuses: ["Success", "Completed"] }).finalizeRegistration(input);
    fake.assertDone();
    expect(outcome.outcome).toBe("finalized");
  });

  it("retries once as adx_ on 404 0x8006088a and remembers the winner", async () => {
    fake.expect("POST", FINALIZE, () => NOT_FOUND_SEGMENT("msevtmgt_FinalizeExternalRegistrationRequest"));
    fake.expect("POST", ADX_FINALIZE, () => ({ status: 200, body: { status: "Success" } }), 2);
    const a = api();
    const first = await a.finalizeRegistration(input);
    const second = await a.finalizeRegistration({
      ...input,
      purchaseId: "1f8fad5b-d9cb-469f-a165-70867728950e",
    });
    fake.assertDone();
    expect(first).toMatchObject({
      outcome: "finalized",
      actionName: "adx_FinalizeExternalRegistrationRequest",
    });
    expect(second.outcome).toBe("finalized");
    expect(a.finalizeActionName).toBe("adx_FinalizeExternalRegistrationRequest");
  });
});

describe("finalizeRegistration: one send, each answer reported as it came (the worker settles)", () => {
  const input = { purchaseId: PID, readableEventId: "Paid_Event1479011247", userId: CONTACT };

  it("an ambiguous 500 is thrown as it is: one send, no probe, no resend", async () => {
    fake.expect("POST", FINALIZE, () => dataverseError(500, "0x80040216", "An unexpected error occurred."));
    const error = await api()
      .finalizeRegistration(input)
      .catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ status: 500, code: "0x80040216", ambiguous: true, retryable: true });
    expect(fake.requests.map((r) => r.method)).toEqual(["POST"]);
  });

  it("a timeout or a reset after sending is ambiguous and not resent", async () => {
    fake.expect("POST", FINALIZE, () => "hang");
    fake.expect("POST", FINALIZE, () => "reset");
    const a = api();
    await expect(a.finalizeRegistration(input)).rejects.toMatchObject({ code: "ETIMEDOUT", ambiguous: true });
    await expect(a.finalizeRegistration(input)).rejects.toMatchObject({
      code: "ECONNRESET",
      ambiguous: true,
    });
    fake.assertDone();
    expect(clock.sleeps).toEqual([]);
  });

  it("keeps no memory of an unclear outcome: the next call sends again (the worker probes first)", async () => {
    fake.expect("POST", FINALIZE, () => dataverseError(504, "", "Gateway Timeout"));
    fake.expect("POST", FINALIZE, () => ({ status: 200, body: { status: "Success" } }));
    const a = api();
    await expect(a.finalizeRegistration(input)).rejects.toMatchObject({ status: 504, ambiguous: true });
    expect((await a.finalizeRegistration(input)).outcome).toBe("finalized");
    fake.assertDone();
    expect(fake.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });
  it("an unexpected status throws FINALIZE_STATUS_UNEXPECTED, ambiguous, carrying the status", async () => {
    fake.expect("POST", FINALIZE, () => ({ status: 200, body: { status: "Failure" } }));
    const error = await api()
      .finalizeRegistration(input)
      .catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({
      code: "FINALIZE_STATUS_UNEXPECTED",
      ambiguous: true,
      retryable: true,
      detail: { status: "Failure" },
    });
    expect((error as DataverseError).message).toContain('answered status "Failure"');
    expect(fake.requests.map((r) => r.method)).toEqual(["POST"]);
  });

  it("a 400 is rejected with Dataverse's code and message, without a probe", async () => {
    fake.expect("POST", FINALIZE, () => dataverseError(400, "0x80040265", "Purchase has expired."));
    const outcome = await api().finalizeRegistration(input);
    fake.assertDone();
    expect(outcome).toMatchObject({ outcome: "rejected", code: "0x80040265", status: null });
    expect(outcome.outcome === "rejected" && outcome.reason).toContain("Purchase has expired.");
    expect(fake.requests.map((r) => r.method)).toEqual(["POST"]);
  });

  it("an unknown purchase is rejected with code PURCHASE_NOT_FOUND", async () => {
    fake.expect("POST", FINALIZE, UNKNOWN_PURCHASE);
    const outcome = await api().finalizeRegistration(input);
    fake.assertDone();
    expect(outcome).toMatchObject({ outcome: "rejected", code: "PURCHASE_NOT_FOUND" });
    expect(outcome.outcome === "rejected" && outcome.reason).toContain("0x80040265");
  });
});

describe("finalizeRegistration: transport trouble the client rides out", () => {
  const input = { purchaseId: PID, readableEventId: "Paid_Event1479011247", userId: CONTACT };

  it("a 503 (the service did not take the request) is resent by the client", async () => {
    fake.expect("POST", FINALIZE, () =>
      dataverseError(503, "", "Service Unavailable", { "retry-after": "2" }),
    );
    fake.expect("POST", FINALIZE, () => ({ status: 200, body: { status: "Success" } }));
    const outcome = await api().finalizeRegistration(input, { deadline: clock.t + 120_000 });
    fake.assertDone();
    expect(outcome.outcome).toBe("finalized");
    expect(clock.sleeps).toEqual([2000]);
  });

  it("throws DeadlineExceededError when throttling outlasts the deadline", async () => {
    fake.expect("POST", FINALIZE, () => dataverseError(429, "0x80072322", "busy", { "retry-after": "600" }));
    const error = await api()
      .finalizeRegistration(input, { deadline: clock.t + 120_000 })
      .catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(clock.sleeps).toEqual([]);
  });

  it("a 503 throttle with Retry-After is waited out and finalizes once", async () => {
    fake.expect("POST", FINALIZE, () =>
      dataverseError(503, "0x80072326", "concurrency", { "retry-after": "3" }),
    );
    fake.expect("POST", FINALIZE, () => ({ status: 200, body: { status: "Success" } }));
    const outcome = await api().finalizeRegistration(input, { deadline: clock.t + 120_000 });
    fake.assertDone();
    expect(outcome.outcome).toBe("finalized");
    expect(clock.sleeps).toEqual([3000]);
  });
});

describe("readPurchase", () => {
  const RTM_READ = `${API}msevtmgt_eventpurchases(${PID})?$select=msevtmgt_paid,msevtmgt_processed,createdon,_msevtmgt_purchasingcontactid_value,msevtmgt_totalprice&$expand=TransactionCurrency_msevtmgt_eventpurchase($select=isocurrencycode)`;

  it("reads flags, contact, created-on and the RTM price", async () => {
    fake.expect("GET", RTM_READ, () => ({
      status: 200,
      body: {
        msevtmgt_paid: false,
        msevtmgt_processed: false,
        createdon: "2026-01-15T09:55:00Z",
        _msevtmgt_purchasingcontactid_value: CONTACT,
        msevtmgt_totalprice: 1500,
        TransactionCurrency_msevtmgt_eventpurchase: { isocurrencycode: "KWD" },
      },
    }));
    const purchase = await api().readPurchase(PID);
    fake.assertDone();
    expect(purchase).toEqual({
      purchaseId: PID,
      paid: false,
      processed: false,
      createdOn: "2026-01-15T09:55:00Z",
      purchasingContactId: CONTACT,
      totalMinor: 1500000,
      currency: "KWD",
    });
  });

  it("returns null on 404 and drops the price columns when Dataverse refuses them", async () => {
    fake.expect("GET", RTM_READ, () => dataverseError(404, "0x80040217", "Does Not Exist"));
    fake.expect("GET", RTM_READ, () =>
      dataverseError(400, "0x0", "Could not find a property named 'msevtmgt_totalprice'"),
    );
    fake.expect("GET", PROBE, row(true), 2);
    const a = api();
    expect(await a.readPurchase(PID)).toBeNull();
    expect(await a.readPurchase(PID)).toMatchObject({ processed: true, totalMinor: null, currency: null });
    expect(await a.readPurchase(PID)).toMatchObject({ processed: true });
    fake.assertDone();
  });
});

describe("finalizeRtmPayment", () => {
  it("posts the purchase id and the option value, accepting 204", async () => {
    fake.expect("POST", `${API}msevtmgt_finalizeregistrationpayment`, () => ({ status: 204 }), 2);
    const a = api();
    await a.finalizeRtmPayment(PID, "completed");
    await a.finalizeRtmPayment(PID, "cancelled");
    fake.assertDone();
    expect(fake.requests.map((r) => JSON.parse(r.body))).toEqual([
      { msevtmgt_purchaseid: PID, msevtmgt_paymentstatus: 100000001 },
      { msevtmgt_purchaseid: PID, msevtmgt_paymentstatus: 100000000 },
    ]);
  });

  it("throws the Dataverse error on refusal", async () => {
    fake.expect("POST", `${API}msevtmgt_finalizeregistrationpayment`, () =>
      dataverseError(403, "0x80040220", "Principal user is missing prvWritemsevtmgt_eventpurchase privilege"),
    );
    await expect(api().finalizeRtmPayment(PID, "completed")).rejects.toMatchObject({
      status: 403,
      code: "0x80040220",
    });
    fake.assertDone();
  });
});
