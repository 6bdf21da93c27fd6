// The hosted payment page of a link (GET /pay/<linkId>) with three buttons: pay (an authorised
// payment, AUTHORISATION true, back to the returnUrl), decline (AUTHORISATION false, the page stays
// open for another try, as Adyen's does) and cancel (back to the returnUrl, nothing paid).

import { NO_FAVICON } from "../portal-look";
import { escapeHtml } from "../../common/escape-html";
import { linkStatus, newPspReference, type LinkRecord, type PaymentRecord } from "./adyen-state";
import type { StandInContext } from "./stand-in-context";

const PAY_PREFIX = "/pay/";

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' http: https:",
};

export function htmlPage(title: string, body: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${NO_FAVICON}<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
button{font-size:1rem;margin-right:.5rem;padding:.5rem 1rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .4rem}</style>
</head><body><main>${body}</main></body></html>`;
  return new Response(html, { status: 200, headers: PAGE_HEADERS });
}

function formatAmount(link: LinkRecord): string {
  return `${link.amount.value} ${link.amount.currency} (minor units)`;
}

/** The link's line items, one row each, as the shopper sees them on Adyen's page. */
function renderLines(link: LinkRecord): string {
  if (link.lineItems.length === 0) return "";
  const rows = link.lineItems
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.description)}</td><td>${l.quantity}</td><td>${l.amountIncludingTax} ${escapeHtml(link.amount.currency)}</td></tr>`,
    )
    .join("\n");
  return `<table id="lines"><caption>Order</caption><thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Unit price (minor units)</th></tr></thead>
<tbody>${rows}</tbody></table>
`;
}

function renderLink(ctx: StandInContext, link: LinkRecord, note: string | null): Response {
  const status = linkStatus(link, ctx.now());
  const action = (what: string) => `${PAY_PREFIX}${encodeURIComponent(link.id)}/${what}`;
  const buttons =
    status === "active"
      ? `<form method="post" action="${action("pay")}"><button id="pay">Pay</button></form>
<form method="post" action="${action("decline")}"><button id="decline">Decline</button></form>
<form method="post" action="${action("cancel")}"><button id="cancel">Cancel</button></form>`
      : `<p id="status">This payment link is ${escapeHtml(status)}.</p>`;
  return htmlPage(
    "Adyen stand-in: pay",
    `<h1>Adyen stand-in</h1><p>${escapeHtml(link.description)}</p>
${renderLines(link)}<p>Amount: <strong id="amount">${escapeHtml(formatAmount(link))}</strong></p>
${note ? `<p id="note">${escapeHtml(note)}</p>` : ""}${buttons}`,
  );
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

/** Take a payment on an active link: what the pay button (and the tests' pay helper) does. */
export function payLink(ctx: StandInContext, link: LinkRecord, authorised: boolean): PaymentRecord {
  const payment: PaymentRecord = {
    pspReference: newPspReference(),
    linkId: link.id,
    amount: { ...link.amount },
    merchantReference: link.reference,
    authorised,
    refundable: authorised && !link.manualCapture ? link.amount.value : 0,
    captured: authorised && !link.manualCapture,
    at: new Date(ctx.now()),
  };
  ctx.state.payments.set(payment.pspReference, payment);
  if (authorised) link.status = "completed";
  ctx.notify({
    eventCode: "AUTHORISATION",
    success: authorised,
    pspReference: payment.pspReference,
    merchantReference: link.reference,
    amount: payment.amount,
    ...(authorised ? {} : { reason: "Refused" }),
    additionalData: { paymentLinkId: link.id },
  });
  return payment;
}

/** GET /pay/<id> and POST /pay/<id>/(pay|decline|cancel); null for other paths. */
export function handleHostedPage(ctx: StandInContext, request: Request): Response | null {
  const url = new URL(request.url);
  const match = new RegExp(`^${PAY_PREFIX}([A-Za-z0-9]+)(?:/(pay|decline|cancel))?$`).exec(url.pathname);
  if (!match?.[1]) return null;
  const link = ctx.state.links.get(match[1]);
  if (!link) return new Response("No such payment link", { status: 404 });
  const action = match[2];
  if (!action || request.method !== "POST") return renderLink(ctx, link, null);
  if (linkStatus(link, ctx.now()) !== "active") return renderLink(ctx, link, "Nothing was charged.");
  if (action === "decline") {
    payLink(ctx, link, false);
    return renderLink(ctx, link, "The payment was declined; try again or cancel.");
  }
  if (action === "pay") payLink(ctx, link, true);
  return link.returnUrl ? redirect(link.returnUrl) : renderLink(ctx, link, "Done.");
}
