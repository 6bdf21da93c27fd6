// The verdict table of the three-way reconcile (docs/finance.md), one case per row and the
// boundaries between them, on plain facts: what the provider, the store and Dataverse say.

import { describe, expect, it } from "vitest";
import type { ProviderView, ReconcileLine } from "../../confirmation-endpoint/reconcile/three-way";
import { judgeLine } from "../../confirmation-endpoint/reconcile/verdict";

const NOW = 1_800_000_000_000;
const pay = (minor: number, refundedMinor = 0, extra: Partial<ProviderView> = {}): ProviderView => ({
  provider: "stripe",
  providerPaymentId: "pi_1",
  providerSessionId: "cs_1",
  paid: { minor, currency: "EUR" },
  refundedMinor,
  source: "listing",
  known: true,
  ...extra,
});
const store = (state: string, refundedMinor = 0, expected = 5000): ReconcileLine["store"] => ({
  state,
  expected: { minor: expected, currency: "EUR" },
  refundedMinor,
  deadlineAt: NOW + 60_000,
  winningPaymentId: "pi_1",
  refunds: [],
});
const registered = (amount = 5000) => ({
  paid: true,
  processed: true,
  registrations: 2,
  amount: { minor: amount, currency: "EUR" },
});
const notRegistered = { paid: false, processed: false, registrations: 0, amount: null };
const judge = (facts: Omit<Parameters<typeof judgeLine>[0], "now">) => judgeLine({ ...facts, now: NOW });

describe("reconcile verdicts", () => {
  it("settled: paid and registered with the same amounts, partial refunds the kit recorded included", () => {
    expect(judge({ payments: [pay(5000)], store: store("finalized"), dataverse: registered() }).verdict).toBe(
      "settled",
    );
    expect(
      judge({ payments: [pay(5000, 1500)], store: store("finalized", 1500), dataverse: registered() })
        .verdict,
    ).toBe("settled");
    expect(judge({ payments: [], store: store("expired"), dataverse: notRegistered }).verdict).toBe(
      "settled",
    );
    expect(
      judge({ payments: [pay(5000, 5000)], store: store("refunded", 5000), dataverse: notRegistered })
        .verdict,
    ).toBe("settled");
  });

  it("unknown to the store comes first and may be ingested", () => {
    const line = judge({ payments: [pay(5000, 0, { known: false })], store: null, dataverse: registered() });
    expect(line).toMatchObject({ verdict: "unknown_to_store", fix: "ingest" });
  });

  it("registered, not paid; refunded but registered (all of it, or more than the kit recorded)", () => {
    expect(judge({ payments: [], store: store("expired"), dataverse: registered() }).verdict).toBe(
      "registered_not_paid",
    );
    expect(
      judge({ payments: [pay(5000, 5000)], store: store("finalized", 5000), dataverse: registered() })
        .verdict,
    ).toBe("refunded_but_registered");
    expect(
      judge({ payments: [pay(5000, 1000)], store: store("finalized", 0), dataverse: registered() }).verdict,
    ).toBe("refunded_but_registered");
  });

  it("amount differs: refunds recorded differently, or paid ≠ expected ≠ what Dataverse says", () => {
    expect(
      judge({ payments: [pay(5000, 1000)], store: store("refund_pending", 2500), dataverse: notRegistered })
        .verdict,
    ).toBe("amount_differs");
    expect(
      judge({ payments: [pay(4000)], store: store("finalized"), dataverse: registered() }),
    ).toMatchObject({
      verdict: "amount_differs",
      detail: "paid 40.00 EUR, the store expected 50.00 EUR",
    });
    expect(
      judge({ payments: [pay(5000)], store: store("finalized"), dataverse: registered(100) }).detail,
    ).toBe("paid 50.00 EUR, Dataverse says 1.00 EUR");
  });

  it("paid, not registered: finalize again only while the store has it paid and the deadline runs", () => {
    expect(judge({ payments: [pay(5000)], store: store("paid"), dataverse: notRegistered }).fix).toBe(
      "finalize",
    );
    const late = judgeLine({
      payments: [pay(5000)],
      store: store("paid"),
      dataverse: notRegistered,
      now: NOW + 61_000,
    });
    expect(late).toMatchObject({ verdict: "paid_not_registered", fix: null });
    expect(judge({ payments: [pay(5000)], store: null, dataverse: null })).toMatchObject({
      verdict: "paid_not_registered",
      fix: null,
    });
  });

  it("a provider without a listing (re-read, refunds unknown) trusts the store's refunds", () => {
    const reRead = pay(5000, -1, { source: "re-read", provider: "adyen" });
    expect(
      judge({ payments: [reRead], store: store("finalized", 1500), dataverse: registered() }).verdict,
    ).toBe("settled");
    expect(judge({ payments: [reRead], store: store("paid"), dataverse: notRegistered }).verdict).toBe(
      "paid_not_registered",
    );
  });
});
