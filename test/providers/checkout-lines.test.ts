// One line per pass at the provider (issue #20, item 3): the lines come from the purchase's
// attendees, are sent only when they add up to Dataverse's total, and each provider's request
// carries them in its own shape (Stripe line_items, Adyen lineItems, PayPal items + item_total).
import { describe, expect, it } from "vitest";
import { orderLines } from "../../confirmation-endpoint/checkout/order-lines";
import { buildPaymentLinkRequest } from "../../confirmation-endpoint/providers/adyen/checkout";
import { buildOrderRequest } from "../../confirmation-endpoint/providers/paypal/order-request";
import { buildCheckoutSessionParams } from "../../confirmation-endpoint/providers/stripe/checkout";
import type { CheckoutRequest } from "../../confirmation-endpoint/providers/types";

const attendees = [
  { name: "Ada", passName: "Full conference", amountMinor: 4000 },
  { name: "Grace", passName: "Day ticket", amountMinor: 1500 },
  { name: "Alan", passName: "Full conference", amountMinor: 4000 },
];
const purchase = { eventName: "Summit", readableEventId: "Summit_1", attendees, expectedMinor: 9500 };

describe("orderLines", () => {
  it("one line per pass and unit price, with its quantity, in the attendees' order", () => {
    expect(orderLines(purchase)).toEqual([
      { name: "Summit: Full conference", quantity: 2, unitMinor: 4000 },
      { name: "Summit: Day ticket", quantity: 1, unitMinor: 1500 },
    ]);
  });

  it("falls back to one line (null) when the passes do not make Dataverse's total", () => {
    expect(orderLines({ ...purchase, expectedMinor: 9000 })).toBeNull(); // a discount
    expect(
      orderLines({
        ...purchase,
        attendees: [...attendees, { name: "x", passName: "Day", amountMinor: null }],
      }),
    ).toBeNull();
    expect(
      orderLines({ ...purchase, attendees: [{ name: "x", passName: null, amountMinor: 9500 }] }),
    ).toBeNull();
    expect(orderLines({ ...purchase, attendees: [] })).toBeNull();
  });

  it("the same pass at two prices is two lines", () => {
    const lines = orderLines({
      ...purchase,
      attendees: [attendees[0]!, { ...attendees[0]!, amountMinor: 3000 }],
      expectedMinor: 7000,
    });
    expect(lines?.map((l) => [l.quantity, l.unitMinor])).toEqual([
      [1, 4000],
      [1, 3000],
    ]);
  });
});

const request: CheckoutRequest = {
  purchaseId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
  readableEventId: "Summit_1",
  userId: null,
  mode: "outbound",
  amount: { minor: 9500, currency: "EUR" },
  description: "Summit: Full conference, Day ticket, Full conference",
  locale: "fr-FR",
  successUrl: "https://portal.test/fr-FR/pay/?gatewayReturn=success",
  cancelUrl: "https://portal.test/fr-FR/pay/?gatewayReturn=cancel",
  closeAt: new Date("2026-12-07T12:00:00Z"),
  lines: orderLines(purchase),
};

describe("each provider's request", () => {
  const now = new Date("2026-12-07T11:00:00Z");

  it("Stripe: one line_item per pass; their sum is the amount; one line without lines", () => {
    const params = buildCheckoutSessionParams(request, {
      now,
      paymentMethodTypes: ["card"],
      allowedCurrencies: [],
    });
    expect(params.line_items).toEqual([
      {
        quantity: 2,
        price_data: { currency: "eur", unit_amount: 4000, product_data: { name: "Summit: Full conference" } },
      },
      {
        quantity: 1,
        price_data: { currency: "eur", unit_amount: 1500, product_data: { name: "Summit: Day ticket" } },
      },
    ]);
    const single = buildCheckoutSessionParams(
      { ...request, lines: null },
      { now, paymentMethodTypes: ["card"], allowedCurrencies: [] },
    );
    expect(single.line_items).toEqual([
      {
        quantity: 1,
        price_data: { currency: "eur", unit_amount: 9500, product_data: { name: request.description } },
      },
    ]);
  });

  it("Adyen: lineItems with quantity and amount including tax; the link's amount unchanged", () => {
    const options = {
      merchantAccount: "M",
      paymentMethods: ["scheme"],
      manualCapture: false,
      allowedCurrencies: [],
    };
    const link = buildPaymentLinkRequest(request, options);
    expect(link.amount).toEqual({ value: 9500, currency: "EUR" });
    expect(link.lineItems).toEqual([
      { id: "1", description: "Summit: Full conference", quantity: 2, amountIncludingTax: 4000 },
      { id: "2", description: "Summit: Day ticket", quantity: 1, amountIncludingTax: 1500 },
    ]);
    expect(buildPaymentLinkRequest({ ...request, lines: undefined }, options).lineItems).toBeUndefined();
  });

  it("PayPal: items and breakdown.itemTotal equal to the amount; neither without lines", () => {
    const order = buildOrderRequest(request, { deploymentId: "d1", idempotencyKey: "k" });
    const unit = order.purchaseUnits[0]!;
    expect(unit.amount).toEqual({
      currencyCode: "EUR",
      value: "95.00",
      breakdown: { itemTotal: { currencyCode: "EUR", value: "95.00" } },
    });
    expect(unit.items).toEqual([
      { name: "Summit: Full conference", quantity: "2", unitAmount: { currencyCode: "EUR", value: "40.00" } },
      { name: "Summit: Day ticket", quantity: "1", unitAmount: { currencyCode: "EUR", value: "15.00" } },
    ]);
    const single = buildOrderRequest(
      { ...request, lines: null },
      { deploymentId: "d1", idempotencyKey: "k" },
    );
    expect(single.purchaseUnits[0]).not.toHaveProperty("items");
    expect(single.purchaseUnits[0]!.amount).not.toHaveProperty("breakdown");
  });
});
