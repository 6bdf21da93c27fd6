// The v1 contract from both sides of the wire: the endpoint's real answers (the handler called
// in-process) read by the gateway page's own endpoint client and guards, and the page refusing
// shapes the endpoint never sends.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  buildConfirmationUrl,
  readReturnOutcome,
  withoutReturnMarkers,
  withReturnMarker,
} from "../../confirmation-endpoint/contract/v1";
import type {
  CheckoutRequest,
  ErrorCode,
  PurchaseStatus,
  ReasonCode,
} from "../../confirmation-endpoint/contract/v1";
import {
  isCheckoutAnswer,
  isErrorAnswer,
  isStatusAnswer,
} from "../../confirmation-endpoint/contract/validate-v1";
import type { RefundReason } from "../../confirmation-endpoint/providers/types";
import type { PurchaseStatus as StoredStatus } from "../../confirmation-endpoint/store/types";
import { createEndpointClient } from "../../gateway-client/endpoint-client";
import { EndpointHttpError, GatewayError } from "../../gateway-client/errors";
import { isKitError } from "../../common/kit-error";
import {
  CONTACT,
  OTHER_PURCHASE,
  PORTAL,
  PURCHASE,
  payAndNotify,
  useHarness,
} from "../confirmation-endpoint/harness";
import type { Harness } from "../confirmation-endpoint/harness";

let h: Harness;
useHarness((created) => (h = created));

const ENDPOINT = "http://endpoint.test";
const RID = "Paid_Event1479011247";
const REQUEST: CheckoutRequest = {
  purchaseId: PURCHASE,
  readableEventId: RID,
  userId: CONTACT,
  locale: "en-US",
  returnUrl: `${PORTAL}/pay/?id=${RID}&purchaseId=${PURCHASE}`,
  confirmationPath: "/event/confirmation",
};

type Json = Record<string, unknown>;

/** The page's own client, its fetch answered by the endpoint in-process; `edit` may change the JSON on the way. */
function pageClient(edit: (body: Json) => unknown = (body) => body) {
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    headers.set("origin", PORTAL); // what the browser adds to a cross-origin call
    const res = await h.app(new Request(String(input), { ...init, headers }));
    if (!res.ok) return res;
    return Response.json(edit((await res.json()) as Json), { status: res.status });
  };
  return createEndpointClient({
    endpointUrl: ENDPOINT,
    fetch: fetch as typeof globalThis.fetch,
    setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => clearTimeout(id),
  });
}

async function rawStatus(purchaseId = PURCHASE): Promise<unknown> {
  return (await h.app(new Request(`${ENDPOINT}/v1/purchases/${purchaseId}/status`))).json();
}

describe("the endpoint's answers satisfy the page's guards", () => {
  it("checkout: the raw answer passes isCheckoutAnswer and the page's client shows it as sent", async () => {
    const { res, body } = await h.checkout(PURCHASE, { confirmationPath: "/event/confirmation" });
    expect(res.status).toBe(200);
    expect(isCheckoutAnswer(body)).toBe(true);
    await h.worker.drain();
    const answer = await pageClient().startCheckout(REQUEST);
    expect(answer).toEqual(body);
    expect(answer.purchase.amount).toEqual({ minor: 2500, currency: "EUR" });
  });

  it("status: every state the page walks through, with the confirmation URL and the refund reason", async () => {
    const client = pageClient();
    const seen: Array<[PurchaseStatus, unknown]> = [];
    const record = async (purchaseId: string) => {
      const answer = await client.getStatus(purchaseId);
      seen.push([answer.status, await rawStatus(purchaseId)]);
      return answer;
    };
    const sessionId = await h.openSession();
    await record(PURCHASE);
    h.provider.pay(sessionId);
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await record(PURCHASE);
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await h.settle();
    expect((await record(PURCHASE)).confirmationUrl).toBe(buildConfirmationUrl(PORTAL, RID));

    h.dataverse.addPurchase({ purchaseId: OTHER_PURCHASE, createdOn: new Date(h.clock.now()).toISOString() });
    h.dataverse.finalizeScript.push({ kind: "reject", reason: "the event is full", code: "0x80040265" });
    await payAndNotify(h, OTHER_PURCHASE);
    await h.settle();
    expect(await record(OTHER_PURCHASE)).toMatchObject({ status: "refunded", reason: "finalize_rejected" });

    expect(seen.map(([status]) => status)).toEqual(["awaiting_payment", "paid", "finalized", "refunded"]);
    for (const [, raw] of seen) expect(isStatusAnswer(raw)).toBe(true);
  });

  // Each expected code is typed ErrorCode, so a code missing from the contract's list fails to compile.
  it("status: the confirmation URL points at the confirmation path the page sent with its checkout", async () => {
    const { res } = await h.checkout(PURCHASE, { confirmationPath: "/fr-FR/evenement/confirmation" });
    expect(res.status).toBe(200);
    const sessionId = (await h.store.listCheckouts(PURCHASE))[0]!.providerSessionId!;
    h.provider.pay(sessionId);
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await h.settle();
    const answer = (await rawStatus()) as { confirmationUrl?: string };
    expect(answer.confirmationUrl).toBe(buildConfirmationUrl(PORTAL, RID, "/fr-FR/evenement/confirmation"));
    expect(answer.confirmationUrl).toContain("/fr-FR/evenement/confirmation?");
  });

  it("errors: each is { error: { code, message } } with a code from the contract's list", async () => {
    const post = (body: string, origin = PORTAL) => h.app(h.checkoutRequest(body, { origin }));
    const answers: Array<[Response, ErrorCode]> = [
      [await h.app(new Request(`${ENDPOINT}/v1/purchases/${OTHER_PURCHASE}/status`)), "PURCHASE_NOT_FOUND"],
      [await h.app(new Request(`${ENDPOINT}/v1/purchases/not-a-guid/status`)), "INVALID_REQUEST"],
      [await h.app(new Request(`${ENDPOINT}/v1/checkout`)), "METHOD_NOT_ALLOWED"],
      [await post("{purchaseId"), "INVALID_JSON"],
      [await post(JSON.stringify(REQUEST), "https://elsewhere.example"), "ORIGIN_NOT_ALLOWED"],
      [
        await post(JSON.stringify({ ...REQUEST, returnUrl: "https://elsewhere.example/" })),
        "RETURN_URL_NOT_ALLOWED",
      ],
      [await post(JSON.stringify({ ...REQUEST, confirmationPath: "//evil.example/x" })), "INVALID_REQUEST"],
      [await post(JSON.stringify({ ...REQUEST, purchaseId: OTHER_PURCHASE })), "PURCHASE_NOT_FOUND"],
    ];
    h.dataverse.purchases.get(PURCHASE)!.row!.processed = true;
    answers.push([await post(JSON.stringify(REQUEST)), "ALREADY_PAID"]);
    for (const [res, code] of answers) {
      const body: unknown = await res.json();
      expect(isErrorAnswer(body), JSON.stringify(body)).toBe(true);
      expect((body as { error: { code: string } }).error.code).toBe(code);
    }
    const error = await pageClient()
      .getStatus(OTHER_PURCHASE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointHttpError);
    expect(error).toMatchObject({ status: 404, errorCode: "PURCHASE_NOT_FOUND", retryable: false });
    expect(isKitError(error)).toBe(true);
  });
});

describe("the page refuses shapes the endpoint never sends", () => {
  const purchaseOf = (body: Json) => body.purchase as Json;
  it.each<[string, (body: Json) => unknown]>([
    [
      "attendees with first and last name",
      (b) => ({ ...b, purchase: { ...purchaseOf(b), attendees: [{ firstName: "A", lastName: "B" }] } }),
    ],
    [
      "the amount as a string",
      (b) => ({ ...b, purchase: { ...purchaseOf(b), amount: { minor: "2500", currency: "EUR" } } }),
    ],
    [
      "a lower-case currency",
      (b) => ({ ...b, purchase: { ...purchaseOf(b), amount: { minor: 2500, currency: "eur" } } }),
    ],
    [
      "expiresAt as epoch milliseconds",
      (b) => ({ ...b, purchase: { ...purchaseOf(b), expiresAt: Date.now() } }),
    ],
    ["no payment object", (b) => ({ purchase: b.purchase })],
  ])("checkout answer with %s", async (_name, edit) => {
    const error = await pageClient(edit)
      .startCheckout(REQUEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "ENDPOINT_BAD_RESPONSE", retryable: false });
  });

  it.each<[string, (body: Json) => unknown]>([
    ["an unknown status", (b) => ({ ...b, status: "cancelled" })],
    ["a free-text reason", (b) => ({ ...b, reason: "paid too late" })],
    ["no readableEventId", (b) => ({ status: b.status })],
  ])("status answer with %s", async (_name, edit) => {
    await h.openSession();
    const error = await pageClient(edit)
      .getStatus(PURCHASE)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ENDPOINT_BAD_RESPONSE" });
  });
});

describe("one list, one rule", () => {
  it("the store's statuses and the providers' refund reasons are the contract's", () => {
    expectTypeOf<StoredStatus>().toEqualTypeOf<PurchaseStatus>();
    expectTypeOf<RefundReason>().toEqualTypeOf<ReasonCode>();
  });

  it("the contract folder is Node-free: no node: imports, nothing imported from outside it", () => {
    const dir = join(import.meta.dirname, "../../confirmation-endpoint/contract");
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const imports = [...readFileSync(join(dir, file), "utf8").matchAll(/from\s+"([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(
        imports.filter((spec) => !spec?.startsWith("./")),
        file,
      ).toEqual([]);
    }
  });

  it("confirmation URL: the portal's path, falling back to the Event Portal's own for anything else", () => {
    expect(buildConfirmationUrl(PORTAL, "Evt 1", "/events/done")).toBe(`${PORTAL}/events/done?id=Evt+1`);
    expect(buildConfirmationUrl(PORTAL, "Evt1")).toBe(`${PORTAL}/event/confirmation?id=Evt1`);
    expect(buildConfirmationUrl(PORTAL, "Evt1", "//evil.example")).toBe(
      `${PORTAL}/event/confirmation?id=Evt1`,
    );
  });

  it("return marker: one written, both read, a cancel wins, markers of either name are replaced", () => {
    const page = `${PORTAL}/pay/?id=E&epg=return#top`;
    expect(withoutReturnMarkers(page)).toBe(`${PORTAL}/pay/?id=E`);
    expect(withReturnMarker(page, "cancel")).toBe(`${PORTAL}/pay/?id=E&gatewayReturn=cancel`);
    expect(readReturnOutcome(`${PORTAL}/pay/?id=E`)).toBeNull();
    expect(readReturnOutcome(`${PORTAL}/pay/?EPG=return`)).toBe("success");
    expect(readReturnOutcome(`${PORTAL}/pay/?gatewayReturn=success`)).toBe("success");
    expect(readReturnOutcome(`${PORTAL}/pay/?epg=return&gatewayReturn=cancel`)).toBe("cancel");
  });
});
