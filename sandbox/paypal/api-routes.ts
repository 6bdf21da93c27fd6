// PayPal's REST API as far as the kit uses it: OAuth client credentials, Orders v2 (create, show,
// capture), refunds of a capture, verify-webhook-signature and webhook lookup. Every POST honours
// PayPal-Request-Id (the same id gets the first successful answer again). Errors have PayPal's body shape.

import { randomBytes, verify, X509Certificate } from "node:crypto";
import { crc32 } from "../../confirmation-endpoint/providers/paypal/crc32";
import type { StandInContext } from "./context";
import { captureJson, newId, orderJson, refundJson } from "./orders";
import type { Amount, StandInOrder } from "./orders";

export function paypalError(status: number, name: string, issue?: string): Response {
  const body = {
    name,
    message: issue ? `${name}: ${issue}` : name,
    debug_id: newId(13).toLowerCase(),
    details: issue ? [{ issue, description: issue }] : [],
  };
  return Response.json(body, { status });
}

function checkBasicAuth(ctx: StandInContext, request: Request): boolean {
  const header = request.headers.get("authorization") ?? "";
  const expected = Buffer.from(`${ctx.clientId}:${ctx.clientSecret}`).toString("base64");
  return header === `Basic ${expected}`;
}

function issueToken(ctx: StandInContext, request: Request): Response {
  if (!checkBasicAuth(ctx, request)) {
    return Response.json(
      { error: "invalid_client", error_description: "Client Authentication failed" },
      { status: 401 },
    );
  }
  const token = `A21AA${randomBytes(24).toString("hex")}`;
  ctx.tokens.add(token);
  return Response.json({
    scope: "https://uri.paypal.com/services/payments/payment",
    access_token: token,
    token_type: "Bearer",
    app_id: "APP-STANDIN",
    expires_in: 32400,
    nonce: newId(10),
  });
}

function readAmount(value: unknown): Amount | null {
  if (!value || typeof value !== "object") return null;
  const { currency_code, value: text } = value as Record<string, unknown>;
  if (typeof currency_code !== "string" || !/^[A-Z]{3}$/.test(currency_code)) return null;
  const digits = ["HUF", "JPY", "TWD"].includes(currency_code) ? 0 : 2;
  const pattern = digits === 0 ? /^\d{1,10}$/ : /^\d{1,10}(\.\d{1,2})?$/;
  return typeof text === "string" && pattern.test(text) ? { currency_code, value: text } : null;
}

const cents = (a: Amount) => Math.round(Number(a.value) * 100);

/**
 * The unit's items and item total, checked as PayPal does: items need `breakdown.item_total`, and
 * the items' sum must equal it (ITEM_TOTAL_MISMATCH), as must the amount (AMOUNT_MISMATCH, no
 * shipping, tax or discount here). Null items: none sent; a string: the error's issue.
 */
function readItems(
  unit: Record<string, unknown>,
  amount: Amount,
): { items: StandInOrder["items"]; itemTotal: Amount | null } | string {
  const raw = unit["items"];
  if (raw === undefined) return { items: [], itemTotal: null };
  const breakdown = ((unit["amount"] as Record<string, unknown>)["breakdown"] ?? {}) as Record<
    string,
    unknown
  >;
  const itemTotal = readAmount(breakdown["item_total"]);
  if (!Array.isArray(raw) || !itemTotal) return "ITEM_TOTAL_REQUIRED";
  const items: StandInOrder["items"] = [];
  for (const item of raw as Array<Record<string, unknown>>) {
    const unitAmount = readAmount(item["unit_amount"]);
    const quantity = typeof item["quantity"] === "string" ? item["quantity"] : "";
    if (typeof item["name"] !== "string" || !unitAmount || !/^[1-9]\d{0,9}$/.test(quantity))
      return "INVALID_PARAMETER_VALUE";
    items.push({ name: item["name"], quantity, unit_amount: unitAmount });
  }
  const sum = items.reduce((total, i) => total + cents(i.unit_amount) * Number(i.quantity), 0);
  if (sum !== cents(itemTotal)) return "ITEM_TOTAL_MISMATCH";
  if (cents(itemTotal) !== cents(amount)) return "AMOUNT_MISMATCH";
  return { items, itemTotal };
}

function createOrder(ctx: StandInContext, body: Record<string, unknown>): Response {
  const units = Array.isArray(body["purchase_units"]) ? body["purchase_units"] : [];
  const unit = (units[0] ?? {}) as Record<string, unknown>;
  const amount = readAmount(unit["amount"]);
  if (body["intent"] !== "CAPTURE" || units.length !== 1 || !amount) {
    return paypalError(422, "UNPROCESSABLE_ENTITY", amount ? "INVALID_PARAMETER_VALUE" : "DECIMAL_PRECISION");
  }
  const lines = readItems(unit, amount);
  if (typeof lines === "string") return paypalError(422, "UNPROCESSABLE_ENTITY", lines);
  const source = (body["payment_source"] ?? {}) as {
    paypal?: { experience_context?: Record<string, unknown> };
  };
  const experience = source.paypal?.experience_context ?? {};
  const order: StandInOrder = {
    id: newId(),
    status: "PAYER_ACTION_REQUIRED",
    amount,
    custom_id: typeof unit["custom_id"] === "string" ? unit["custom_id"] : null,
    invoice_id: typeof unit["invoice_id"] === "string" ? unit["invoice_id"] : null,
    description: typeof unit["description"] === "string" ? unit["description"] : null,
    items: lines.items,
    item_total: lines.itemTotal,
    return_url: typeof experience["return_url"] === "string" ? experience["return_url"] : null,
    cancel_url: typeof experience["cancel_url"] === "string" ? experience["cancel_url"] : null,
    create_time: ctx.now().toISOString(),
    approved_at: null,
    capture: null,
  };
  ctx.orders.set(order.id, order);
  return Response.json(orderJson(order, ctx.origin()), { status: 201 });
}

/** PayPal voids an approval that is never captured; the stand-in does it when the order is next read. */
function lapseApproval(ctx: StandInContext, order: StandInOrder): void {
  if (order.status !== "APPROVED" || order.approved_at === null) return;
  if (ctx.now().getTime() - order.approved_at >= ctx.voidApprovedAfterMs) order.status = "VOIDED";
}

function captureOrder(ctx: StandInContext, order: StandInOrder): Response {
  if (order.status === "COMPLETED") return paypalError(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED");
  if (order.status !== "APPROVED") return paypalError(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED");
  if (ctx.faults.declineCapture) return paypalError(422, "UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED");
  order.status = "COMPLETED";
  order.capture = {
    id: newId(),
    status: "COMPLETED",
    amount: order.amount,
    create_time: ctx.now().toISOString(),
    refunds: [],
  };
  ctx.captureCount++;
  ctx.webhooks.send(
    "PAYMENT.CAPTURE.COMPLETED",
    "capture",
    captureJson(order, order.capture, ctx.origin()),
    ctx.copies,
  );
  return Response.json(orderJson(order, ctx.origin()), { status: 201 });
}

function minorOf(amount: Amount): bigint {
  const [whole, fraction = ""] = amount.value.split(".");
  return BigInt(whole! + fraction.padEnd(2, "0"));
}

function refundCapture(ctx: StandInContext, captureId: string, body: Record<string, unknown>): Response {
  const order = [...ctx.orders.values()].find((o) => o.capture?.id === captureId);
  const capture = order?.capture;
  if (!order || !capture) return paypalError(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
  if (ctx.faults.refuseRefunds)
    return paypalError(422, "UNPROCESSABLE_ENTITY", "REFUND_FAILED_INSUFFICIENT_FUNDS");
  const amount = body["amount"] === undefined ? capture.amount : readAmount(body["amount"]);
  if (!amount || amount.currency_code !== capture.amount.currency_code) {
    return paypalError(422, "UNPROCESSABLE_ENTITY", "CURRENCY_MISMATCH");
  }
  const refunded = capture.refunds.reduce((sum, r) => sum + minorOf(r.amount), 0n);
  const left = minorOf(capture.amount) - refunded;
  if (minorOf(amount) > left || capture.status === "REFUNDED") {
    return paypalError(422, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED");
  }
  const customId = typeof body["custom_id"] === "string" ? body["custom_id"] : undefined;
  const refund = {
    id: newId(),
    status: "COMPLETED" as const,
    amount,
    create_time: ctx.now().toISOString(),
    ...(customId ? { custom_id: customId } : {}),
  };
  capture.refunds.push(refund);
  capture.status = minorOf(amount) === left ? "REFUNDED" : "PARTIALLY_REFUNDED";
  const json = refundJson(order, capture, refund, ctx.origin());
  ctx.webhooks.send("PAYMENT.CAPTURE.REFUNDED", "refund", json, ctx.copies);
  return Response.json(json, { status: 201 });
}

function verifySignature(ctx: StandInContext, body: Record<string, unknown>): Response {
  const event = JSON.stringify(body["webhook_event"]);
  const signed = `${String(body["transmission_id"])}|${String(body["transmission_time"])}|${String(body["webhook_id"])}|${crc32(Buffer.from(event))}`;
  const cert = new X509Certificate(ctx.identity.pem);
  const ok =
    body["auth_algo"] === "SHA256withRSA" &&
    body["webhook_id"] === ctx.webhookId &&
    verify(
      "sha256",
      Buffer.from(signed),
      cert.publicKey,
      Buffer.from(String(body["transmission_sig"]), "base64"),
    );
  return Response.json({ verification_status: ok ? "SUCCESS" : "FAILURE" });
}

/** Routes that need a bearer token; null when the path is not one of them. */
async function authorized(ctx: StandInContext, request: Request, path: string): Promise<Response | null> {
  const json =
    request.method === "POST" ? ((await request.json().catch(() => ({}))) as Record<string, unknown>) : {};
  const orderMatch = /^\/v2\/checkout\/orders\/([A-Z0-9]+)(\/capture)?$/.exec(path);
  if (path === "/v2/checkout/orders" && request.method === "POST") return createOrder(ctx, json);
  if (orderMatch) {
    const order = ctx.orders.get(orderMatch[1]!);
    if (!order) return paypalError(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
    lapseApproval(ctx, order);
    if (orderMatch[2] && request.method === "POST") return captureOrder(ctx, order);
    if (!orderMatch[2] && request.method === "GET") return Response.json(orderJson(order, ctx.origin()));
  }
  const refundMatch = /^\/v2\/payments\/captures\/([A-Z0-9]+)\/refund$/.exec(path);
  if (refundMatch && request.method === "POST") return refundCapture(ctx, refundMatch[1]!, json);
  if (path === "/v1/notifications/verify-webhook-signature" && request.method === "POST")
    return verifySignature(ctx, json);
  const hook = /^\/v1\/notifications\/webhooks\/([A-Za-z0-9]+)$/.exec(path);
  if (hook && request.method === "GET") {
    if (hook[1] !== ctx.webhookId) return paypalError(404, "INVALID_RESOURCE_ID", "INVALID_RESOURCE_ID");
    return Response.json({ id: ctx.webhookId, url: ctx.webhookUrl() ?? "", event_types: [{ name: "*" }] });
  }
  return null;
}

/** The API handler: token endpoint, then bearer-protected routes with PayPal-Request-Id replay. */
export async function handleApi(
  ctx: StandInContext,
  request: Request,
  path: string,
): Promise<Response | null> {
  if (path === "/v1/oauth2/token" && request.method === "POST") return issueToken(ctx, request);
  if (!path.startsWith("/v1/") && !path.startsWith("/v2/")) return null;
  const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!bearer || !ctx.tokens.has(bearer)) return paypalError(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN");
  const requestId = request.method === "POST" ? request.headers.get("paypal-request-id") : null;
  if (request.method === "POST") ctx.requests.push({ path, requestId });
  const replayKey = requestId ? `${path} ${requestId}` : null;
  const replay = replayKey ? ctx.replays.get(replayKey) : undefined;
  if (replay)
    return new Response(replay.body, {
      status: replay.status,
      headers: { "content-type": "application/json" },
    });
  const response = await authorized(ctx, request, path);
  if (response && replayKey && response.ok) {
    ctx.replays.set(replayKey, { status: response.status, body: await response.clone().text() });
  }
  return response ?? paypalError(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
}
