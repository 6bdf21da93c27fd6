// The buyer's side of PayPal: the page an order's payer-action link opens, with Approve and
// Cancel. Approve marks the order APPROVED, sends CHECKOUT.ORDER.APPROVED and returns the buyer to
// the return URL with ?token=<order>&PayerID=…; Cancel returns to the cancel URL with ?token=.

import { NO_FAVICON } from "../portal-look";
import { escapeHtml } from "../../common/escape-html";
import type { StandInContext } from "./context";
import { newId, orderJson } from "./orders";
import type { StandInOrder } from "./orders";

export const APPROVAL_PATH = "/checkoutnow";

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${NO_FAVICON}<title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

function back(url: string | null, params: Record<string, string>): Response {
  if (!url) return page("PayPal stand-in", "<p>The order has no return address.</p>");
  const target = new URL(url);
  for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  return new Response(null, { status: 303, headers: { location: target.toString() } });
}

/** The order's items, one row each, as the buyer sees them before approving. */
function renderItems(order: StandInOrder): string {
  if (order.items.length === 0) return "";
  const rows = order.items
    .map(
      (i) =>
        `<tr><td>${escapeHtml(i.name)}</td><td>${escapeHtml(i.quantity)}</td><td>${escapeHtml(`${i.unit_amount.value} ${i.unit_amount.currency_code}`)}</td></tr>`,
    )
    .join("");
  return `<table id="items"><caption>Items</caption><thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Unit price</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export async function handleApproval(
  ctx: StandInContext,
  request: Request,
  url: URL,
): Promise<Response | null> {
  if (url.pathname === APPROVAL_PATH && request.method === "GET") {
    const order = ctx.orders.get(url.searchParams.get("token") ?? "");
    if (!order) return page("PayPal stand-in", "<p>No such order.</p>", 404);
    const amount = `${order.amount.value} ${order.amount.currency_code}`;
    const form = (action: string, label: string) =>
      `<form method="post" action="${APPROVAL_PATH}/${action}"><input type="hidden" name="token" value="${escapeHtml(order.id)}"><button type="submit" id="${action}">${label}</button></form>`;
    const open = order.status === "PAYER_ACTION_REQUIRED";
    return page(
      "Pay with PayPal (stand-in)",
      `<h1>PayPal stand-in</h1><p id="summary">${escapeHtml(order.description ?? "Order")}: <strong>${escapeHtml(amount)}</strong></p>` +
        renderItems(order) +
        (open
          ? form("approve", "Pay now") + form("cancel", "Cancel and return")
          : `<p>Order is ${escapeHtml(order.status)}.</p>`),
    );
  }
  const action = new RegExp(`^${APPROVAL_PATH}/(approve|cancel)$`).exec(url.pathname)?.[1];
  if (!action || request.method !== "POST") return null;
  const token = new URLSearchParams(await request.text()).get("token") ?? "";
  const order = ctx.orders.get(token);
  if (!order) return page("PayPal stand-in", "<p>No such order.</p>", 404);
  if (action === "cancel") return back(order.cancel_url, { token: order.id });
  if (order.status === "PAYER_ACTION_REQUIRED") {
    order.status = "APPROVED";
    order.approved_at = ctx.now().getTime();
    ctx.webhooks.send(
      "CHECKOUT.ORDER.APPROVED",
      "checkout-order",
      orderJson(order, ctx.origin()),
      ctx.copies,
    );
  }
  return back(order.return_url, { token: order.id, PayerID: newId(13) });
}
