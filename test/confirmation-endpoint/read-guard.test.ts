// Issue #14, item 3: made-up purchase ids cannot spend the Dataverse budget finalizing needs, nor
// lock real attendees out. One client is limited on its own; an id Dataverse does not know is
// remembered for a minute; new purchases together may spend only their share of the reads.

import { afterEach, describe, expect, it } from "vitest";
import { PEER_HEADER } from "../../confirmation-endpoint/http/client-key";
import { CONTACT, createHarness, PORTAL, PURCHASE, T0 } from "./harness";
import type { Harness } from "./harness";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const madeUp = (i: number) => `7c9e6679-7425-40de-944b-${String(i).padStart(12, "0")}`;

function checkoutFrom(
  harness: Harness,
  peer: string,
  purchaseId: string,
  headers: Record<string, string> = {},
) {
  return harness.app(
    harness.checkoutRequest(
      { purchaseId, readableEventId: "Paid_Event1479011247", returnUrl: `${PORTAL}/pay/` },
      { [PEER_HEADER]: peer, ...headers },
    ),
  );
}

describe("Dataverse reads a stranger can cause", () => {
  it("one client flooding made-up ids is stopped; a real attendee elsewhere still checks out", async () => {
    h = createHarness({ app: { newPurchasesPerClientPerMinute: 5 } });
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push((await checkoutFrom(h, "203.0.113.9", madeUp(i))).status);
    expect(answers).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    h.dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    const reads = h.dataverse.calls.length;
    expect((await checkoutFrom(h, "198.51.100.7", PURCHASE)).status).toBe(200);
    expect(h.dataverse.calls.length).toBeGreaterThan(reads);
  });

  it("an id Dataverse does not know is answered 404 from memory for a minute, without asking again", async () => {
    h = createHarness();
    expect((await checkoutFrom(h, "203.0.113.9", madeUp(1))).status).toBe(404);
    const reads = h.dataverse.calls.length;
    for (let i = 0; i < 5; i++) expect((await checkoutFrom(h, "203.0.113.9", madeUp(1))).status).toBe(404);
    expect(h.dataverse.calls.length).toBe(reads);
  });

  it("new purchases together spend at most their share of the reads; finalizing keeps the rest", async () => {
    h = createHarness({ app: { newPurchaseReadsPer5Minutes: 6, newPurchasesPerClientPerMinute: 100 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await checkoutFrom(h, `203.0.113.${i}`, madeUp(i))).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect((await checkoutFrom(h, "203.0.113.99", madeUp(99))).headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("behind a proxy, the client is the address the proxy appended, not one the client sent", async () => {
    h = createHarness({ app: { newPurchasesPerClientPerMinute: 2, clientIpHeader: "x-forwarded-for" } });
    const via = (forged: string) => ({ "x-forwarded-for": `${forged}, 203.0.113.9` });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await checkoutFrom(h, "10.0.0.1", madeUp(i), via(`1.1.1.${i}`))).status);
    expect(statuses).toEqual([404, 404, 429]);
  });
});
