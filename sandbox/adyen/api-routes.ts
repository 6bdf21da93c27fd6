// The part of Adyen's Checkout API (v71 paths) the kit calls, as the official library sends it:
// payment links (create, read, expire), payment methods (doctor's account check) and modifications
// (refund, capture, cancel) on a payment. Requests need the X-API-Key; a repeated Idempotency-Key
// with the same body gets the first answer again, with another body an error. Error codes are the
// stand-in's own choice in Adyen's shape; the kit branches on the HTTP status only.

import { linkStatus, newLinkId, newPspReference, type Amount, type LinkRecord } from "./adyen-state";
import type { StandInContext } from "./stand-in-context";

const JSON_HEADERS = { "content-type": "application/json" };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** Adyen's error body: the library reads status, errorCode and message from it. */
export function apiError(
  status: number,
  errorCode: string,
  message: string,
  errorType = "validation",
): Response {
  return json(status, { status, errorCode, message, errorType });
}

function readAmount(value: unknown): Amount | null {
  const amount = value as { value?: unknown; currency?: unknown } | null;
  if (!amount || !Number.isSafeInteger(amount.value) || (amount.value as number) < 0) return null;
  if (typeof amount.currency !== "string" || !/^[A-Z]{3}$/.test(amount.currency)) return null;
  return { value: amount.value as number, currency: amount.currency };
}

export function linkView(ctx: StandInContext, link: LinkRecord): Record<string, unknown> {
  return {
    id: link.id,
    url: `${ctx.origin()}/pay/${link.id}`,
    status: linkStatus(link, ctx.now()),
    amount: link.amount,
    merchantAccount: link.merchantAccount,
    reference: link.reference,
    description: link.description,
    ...(link.lineItems.length > 0 ? { lineItems: link.lineItems } : {}),
    expiresAt: link.expiresAt.toISOString(),
    ...(link.returnUrl ? { returnUrl: link.returnUrl } : {}),
    ...(link.manualCapture ? { manualCapture: true } : {}),
    ...(link.shopperEmail ? { shopperEmail: link.shopperEmail } : {}),
    metadata: link.metadata,
    reusable: false,
  };
}

/** The link's line items: description, quantity and amount including tax (minor units) each. */
function readLineItems(value: unknown): LinkRecord["lineItems"] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: Record<string, unknown>) =>
    item && Number.isSafeInteger(item["quantity"]) && Number.isSafeInteger(item["amountIncludingTax"])
      ? [
          {
            description: typeof item["description"] === "string" ? item["description"] : "",
            quantity: item["quantity"] as number,
            amountIncludingTax: item["amountIncludingTax"] as number,
          },
        ]
      : [],
  );
}

function createLink(ctx: StandInContext, body: Record<string, unknown>): Response {
  const amount = readAmount(body["amount"]);
  if (!amount) return apiError(422, "100", "Required field 'amount' is missing or invalid");
  if (body["merchantAccount"] !== ctx.merchantAccount)
    return apiError(403, "901", "Invalid Merchant Account", "security");
  if (typeof body["reference"] !== "string" || body["reference"] === "") {
    return apiError(422, "130", "Required field 'reference' is missing");
  }
  const expiresAt = typeof body["expiresAt"] === "string" ? new Date(body["expiresAt"]) : null;
  const link: LinkRecord = {
    id: newLinkId(),
    amount,
    merchantAccount: ctx.merchantAccount,
    reference: body["reference"],
    description: typeof body["description"] === "string" ? body["description"] : "",
    lineItems: readLineItems(body["lineItems"]),
    returnUrl: typeof body["returnUrl"] === "string" ? body["returnUrl"] : null,
    expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : new Date(ctx.now() + 86_400_000),
    manualCapture: body["manualCapture"] === true,
    metadata: (body["metadata"] as Record<string, string> | undefined) ?? {},
    shopperEmail: typeof body["shopperEmail"] === "string" ? body["shopperEmail"] : null,
    status: "active",
    createdAt: new Date(ctx.now()),
  };
  ctx.state.links.set(link.id, link);
  return json(201, linkView(ctx, link));
}

function updateLink(ctx: StandInContext, link: LinkRecord, body: Record<string, unknown>): Response {
  if (body["status"] !== "expired") return apiError(422, "100", "Only status 'expired' can be set");
  const status = linkStatus(link, ctx.now());
  if (status === "completed") return apiError(422, "100", "A completed payment link cannot be expired");
  link.status = "expired";
  return json(200, linkView(ctx, link));
}

function modify(ctx: StandInContext, psp: string, kind: string, body: Record<string, unknown>): Response {
  const payment = ctx.state.payments.get(psp);
  if (!payment || !payment.authorised)
    return apiError(422, "167", "Original pspReference required for this operation");
  if (body["merchantAccount"] !== ctx.merchantAccount)
    return apiError(403, "901", "Invalid Merchant Account", "security");
  const amount = kind === "cancels" ? null : readAmount(body["amount"]);
  if (kind !== "cancels" && !amount)
    return apiError(422, "100", "Required field 'amount' is missing or invalid");
  const pspReference = newPspReference();
  const reference = typeof body["reference"] === "string" ? body["reference"] : null;
  const eventCode = kind === "refunds" ? "REFUND" : kind === "captures" ? "CAPTURE" : "CANCELLATION";
  // Outcomes are settled here and told by notification, as Adyen does asynchronously.
  const success =
    eventCode === "REFUND" ? ctx.knobs.refundSucceeds && amount!.value <= payment.refundable : true;
  if (eventCode === "REFUND" && success) payment.refundable -= amount!.value;
  if (eventCode === "CAPTURE") payment.captured = true;
  ctx.state.modifications.push({
    pspReference,
    kind: eventCode,
    paymentPspReference: psp,
    amount,
    reference,
    success,
    at: new Date(ctx.now()),
  });
  ctx.notify({
    eventCode,
    success,
    pspReference,
    originalReference: psp,
    merchantReference: payment.merchantReference,
    amount: amount ?? payment.amount,
    ...(success ? {} : { reason: "Refund refused by the stand-in" }),
  });
  return json(201, {
    merchantAccount: ctx.merchantAccount,
    paymentPspReference: psp,
    pspReference,
    ...(reference ? { reference } : {}),
    ...(amount ? { amount } : {}),
    status: "received",
  });
}

/** The methods a merchant account has enabled: the stand-in offers cards only. */
function paymentMethods(ctx: StandInContext, body: Record<string, unknown>): Response {
  if (body["merchantAccount"] !== ctx.merchantAccount) {
    return apiError(403, "901", "Invalid Merchant Account", "security");
  }
  return json(200, { paymentMethods: [{ type: "scheme", name: "Cards" }] });
}

function route(ctx: StandInContext, method: string, path: string, body: Record<string, unknown>): Response {
  if (path === "/paymentMethods" && method === "POST") return paymentMethods(ctx, body);
  const link = /^\/paymentLinks\/([A-Za-z0-9]+)$/.exec(path);
  if (path === "/paymentLinks" && method === "POST") return createLink(ctx, body);
  if (link?.[1]) {
    const record = ctx.state.links.get(link[1]);
    if (!record) return apiError(404, "000", `Payment link ${link[1]} not found`);
    if (method === "GET") return json(200, linkView(ctx, record));
    if (method === "PATCH") return updateLink(ctx, record, body);
  }
  const mod = /^\/payments\/([A-Za-z0-9]+)\/(refunds|captures|cancels)$/.exec(path);
  if (mod?.[1] && mod[2] && method === "POST") return modify(ctx, mod[1], mod[2], body);
  return apiError(404, "000", `No ${method} ${path} on this stand-in`);
}

/** Answer one API request under /v<version>/…; null when the path is not the API's. */
export async function handleApiRequest(ctx: StandInContext, request: Request): Promise<Response | null> {
  const url = new URL(request.url);
  const versioned = /^\/v\d+(\/.*)$/.exec(url.pathname);
  if (!versioned?.[1]) return null;
  if (request.headers.get("x-api-key") !== ctx.apiKey)
    return apiError(401, "000", "HTTP Status Response - Unauthorized", "security");
  const text = request.method === "GET" ? "" : await request.text();
  let body: Record<string, unknown> = {};
  try {
    body = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return apiError(400, "000", "Request body is not JSON");
  }
  const key = request.headers.get("idempotency-key");
  const remembered = key ? ctx.state.idempotency.get(key) : undefined;
  if (remembered) {
    if (remembered.body !== text)
      return apiError(422, "idempotency_conflict", "Idempotency-Key reused with another request body");
    return new Response(remembered.answer, { status: remembered.status, headers: JSON_HEADERS });
  }
  const response = route(ctx, request.method, versioned[1], body);
  if (key && request.method !== "GET") {
    ctx.state.idempotency.set(key, {
      body: text,
      status: response.status,
      answer: await response.clone().text(),
    });
  }
  return response;
}
