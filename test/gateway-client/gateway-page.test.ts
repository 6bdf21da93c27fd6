import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createClock,
  createEndpoint,
  ENDPOINT,
  errorReply,
  mount,
  order,
  PID,
  PORTAL,
  RID,
  T0,
} from "./fakes";

let endpoint: ReturnType<typeof createEndpoint>;
let clock: ReturnType<typeof createClock>;
let view: ReturnType<typeof mount> | null = null;

beforeEach(() => {
  endpoint = createEndpoint();
  clock = createClock();
});

afterEach(() => {
  view?.page.stop();
  view = null;
  expect(endpoint.unexpected).toEqual([]);
});

const RETURN_HREF = `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}&gatewayReturn=success`;

async function showSummary(opts: Parameters<typeof mount>[2] = {}, reply = order()) {
  endpoint.checkout(reply);
  view = mount(endpoint, clock, opts);
  await clock.advance(0);
  return view;
}

describe("summary", () => {
  it("asks the endpoint for the order with exactly the contract's fields", async () => {
    await showSummary();
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(`${ENDPOINT}/v1/checkout`);
    expect(request?.init?.credentials).toBe("omit");
    expect(request?.body).toEqual({
      purchaseId: PID,
      readableEventId: RID,
      userId: "9a1c7e2b-7f5e-4f0e-9d1c-2b3a4c5d6e7f",
      locale: "en-US",
      returnUrl: `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}`,
      confirmationPath: "/event/confirmation",
    });
  });

  it("leaves userId out for anonymous registration", async () => {
    await showSummary({ config: { userId: null } });
    expect(endpoint.requests[0]?.body).not.toHaveProperty("userId");
  });

  it("sends the portal's configured confirmation path, and none when it is not set", async () => {
    await showSummary({ config: { confirmationPath: "/events/done" } });
    expect(endpoint.requests[0]?.body).toMatchObject({ confirmationPath: "/events/done" });
    view?.page.stop();
    await showSummary({ config: { confirmationPath: "" } });
    expect(endpoint.requests[1]?.body).not.toHaveProperty("confirmationPath");
  });

  it("puts a purchase id that came from sessionStorage into the return URL", async () => {
    await showSummary({
      href: `${PORTAL}/pay/?id=${RID}`,
      storage: { getItem: () => `{${PID.toUpperCase()}}` },
    });
    const body = endpoint.requests[0]?.body as { purchaseId: string; returnUrl: string };
    expect(body.purchaseId).toBe(PID);
    expect(body.returnUrl).toBe(`${PORTAL}/pay/?id=${RID}&purchaseId=${PID}`);
  });

  it("shows the event, attendees with passes, total and countdown; Cancel goes back to the event", async () => {
    const v = await showSummary();
    expect(v.page.view()).toBe("summary");
    expect(v.heading()).toBe("Contoso Summit 2027");
    const items = [...v.root.querySelectorAll(".epg-attendee")].map((li) => li.textContent);
    expect(items).toEqual(["Ada LovelaceFull conference€12.50", "Attendee 2Workshop day€12.50"]);
    expect(v.q(".epg-total dd")?.textContent).toBe("€25.00");
    expect(v.q(".epg-countdown")?.textContent).toBe("Time left to pay: 47:00");
    expect(v.button(/^Pay/)?.textContent).toBe("Pay €25.00");
    expect(v.q<HTMLAnchorElement>(".epg-cancel")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    expect(v.text()).toContain("secure page of Stripe");
    expect(v.q<HTMLAnchorElement>(".epg-support a")?.href).toBe("mailto:help@contoso.example.test");
    expect(v.live()).toBe("Contoso Summit 2027. Total: €25.00");
    expect(document.activeElement).toBe(v.q("h1"));
  });

  it("builds Cancel and the way back from the configured event page path", async () => {
    const v = await showSummary({ config: { eventPath: "/events/detail" } });
    expect(v.q<HTMLAnchorElement>(".epg-cancel")?.href).toBe(`${PORTAL}/events/detail?id=${RID}`);
    v.page.stop();
    endpoint.checkout(errorReply(410, "PURCHASE_EXPIRED"));
    view = mount(endpoint, clock, { config: { eventPath: "/events/detail" } });
    await clock.advance(0);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/events/detail?id=${RID}`);
  });

  it.each([
    ["JPY", 1500, "en-US", "¥1,500"],
    ["KWD", 12345, "en-US", "KWD\u00a012.345"],
    ["EUR", 1250, "fr-FR", "12,50\u00a0€"],
    ["JPY", 1500, "fr-FR", "1\u202f500\u00a0JPY"],
  ])("formats a %s total of %i minor units in %s", async (currency, minor, locale, expected) => {
    const v = await showSummary({ config: { locale } }, order({ currency, minor }));
    expect(v.q(".epg-total dd")?.textContent).toBe(expected);
  });

  it("puts hostile event and attendee names in as text only", async () => {
    const v = await showSummary({}, order({ eventName: `<img src=x onerror="alert(1)">` }));
    expect(v.heading()).toBe(`<img src=x onerror="alert(1)">`);
    expect(v.root.querySelector("img")).toBeNull();
  });
});

describe("countdown", () => {
  it("counts down and stops offering payment the margin before expiry", async () => {
    const v = await showSummary();
    await clock.advance(1000);
    expect(v.q(".epg-countdown")?.textContent).toBe("Time left to pay: 46:59");
    await clock.advance(45 * 60_000 - 1000);
    expect(v.q(".epg-countdown")?.textContent).toBe("Time left to pay: 2:00");
    await clock.advance(1000);
    expect(v.q(".epg-countdown")?.classList.contains("epg-countdown-urgent")).toBe(true);
    await clock.advance(2 * 60_000 - 1000);
    expect(clock.now()).toBe(T0 + 47 * 60_000);
    expect(v.page.view()).toBe("expired");
    expect(v.button(/^Pay/)).toBeUndefined();
    expect(v.heading()).toBe("Time to pay has run out");
    expect(v.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    expect(v.navigations).toEqual([]);
  });

  it("honours a configured margin", async () => {
    const v = await showSummary({ options: { payMarginMs: 10 * 60_000 } });
    expect(v.q(".epg-countdown")?.textContent).toBe("Time left to pay: 40:00");
  });

  it("never offers payment when the order is already inside the margin", async () => {
    const v = await showSummary({}, order({ expiresInMs: 2 * 60_000 }));
    expect(v.page.view()).toBe("expired");
  });
});

describe("Pay", () => {
  it("goes to the provider once, however often it is pressed", async () => {
    const v = await showSummary();
    const pay = v.button(/^Pay/);
    pay?.click();
    pay?.click();
    pay?.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(v.navigations).toEqual(["https://checkout.stripe.test/c/pay/cs_test_1"]);
    expect(pay?.disabled).toBe(true);
    expect(pay?.textContent).toBe("Opening the secure payment page…");
    expect(v.live()).toBe("Opening the secure payment page…");
    expect(clock.pending()).toBe(0);
  });

  it("refuses a non-http redirect from the endpoint", async () => {
    const v = await showSummary({}, order({ redirectUrl: "javascript:alert(1)" }));
    expect(v.page.view()).toBe("unreachable");
    expect(v.navigations).toEqual([]);
  });
});

describe("checkout errors", () => {
  it("offers Retry when the endpoint is unreachable, and recovers", async () => {
    endpoint.checkout("network-error");
    view = mount(endpoint, clock);
    await clock.advance(0);
    expect(view.page.view()).toBe("unreachable");
    expect(view.heading()).toBe("We cannot reach the payment service");
    expect(document.activeElement).toBe(view.q("h1"));
    endpoint.checkout(order());
    view.button("Try again")?.click();
    await clock.advance(0);
    expect(view.page.view()).toBe("summary");
    expect(endpoint.requests).toHaveLength(2);
  });

  it("treats 503 as unreachable", async () => {
    endpoint.checkout(errorReply(503, "UNAVAILABLE"));
    view = mount(endpoint, clock);
    await clock.advance(0);
    expect(view.page.view()).toBe("unreachable");
  });

  it("409 (already paid) follows the status instead", async () => {
    endpoint.checkout(errorReply(409, "ALREADY_PAID"));
    endpoint.statusOk("finalizing");
    view = mount(endpoint, clock);
    await clock.advance(0);
    expect(view.page.view()).toBe("finalizing");
  });

  it.each([
    [410, "TOO_LATE", "expired", "Time to pay has run out"],
    [404, "PURCHASE_NOT_FOUND", "not_found", "Registration not found"],
    [400, "INVALID_REQUEST", "invalid", "This payment link is not valid"],
  ])("%i → %s", async (status, code, state, heading) => {
    endpoint.checkout(errorReply(status, code));
    view = mount(endpoint, clock);
    await clock.advance(0);
    expect(view.page.view()).toBe(state);
    expect(view.heading()).toBe(heading);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
  });
});

describe("arrival without a usable purchase id", () => {
  it("missing → message and the way back to the event, no request", () => {
    view = mount(endpoint, clock, { href: `${PORTAL}/pay/?id=${RID}` });
    expect(view.page.view()).toBe("missing");
    expect(view.heading()).toBe("This payment link is incomplete");
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    expect(endpoint.requests).toEqual([]);
  });

  it("malformed → message and the way back", () => {
    view = mount(endpoint, clock, { href: `${PORTAL}/pay/?id=${RID}&purchaseId=12345` });
    expect(view.page.view()).toBe("invalid");
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
  });

  it("no readable event id → back to the site", () => {
    view = mount(endpoint, clock, { href: `${PORTAL}/pay/?purchaseId=${PID}` });
    expect(view.page.view()).toBe("missing");
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/`);
  });

  it("endpoint not configured → says so, no request", () => {
    view = mount(endpoint, clock, { config: { endpointUrl: "" } });
    expect(view.page.view()).toBe("not_configured");
    expect(endpoint.requests).toEqual([]);
  });
});

describe("back from the provider", () => {
  it("shows each state in words, announces it, moves focus, then goes to the confirmation", async () => {
    endpoint.statusOk("awaiting_payment", "paid", "paid", "finalizing", "finalized");
    view = mount(endpoint, clock, { href: RETURN_HREF });
    const seen: Array<[string, string, string]> = [];
    const record = () => seen.push([view?.page.view() ?? "", view?.heading() ?? "", view?.live() ?? ""]);
    await clock.advance(0);
    record();
    expect(document.activeElement).toBe(view.q("h1"));
    for (const step of [1000, 1500, 2250, 3375]) {
      await clock.advance(step);
      record();
    }
    expect(seen.map((s) => s[0])).toEqual(["awaiting_payment", "paid", "paid", "finalizing", "finalized"]);
    expect(seen.map((s) => s[1])).toEqual([
      "Waiting for your payment",
      "Payment received",
      "Payment received",
      "Confirming your registration",
      "Registration confirmed",
    ]);
    expect(seen[1]?.[2]).toMatch(/^Payment received\. Thank you/);
    expect(view.navigations).toEqual([`${PORTAL}/event/confirmation?id=${RID}`]);
    // The first poll says the attendee just came back (a payment may wait for capture); the rest do not.
    expect(endpoint.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${ENDPOINT}/v1/purchases/${PID}/status?returned=1`,
      ...Array(endpoint.requests.length - 1).fill(`GET ${ENDPOINT}/v1/purchases/${PID}/status`),
    ]);
    await clock.advance(60_000);
    expect(endpoint.requests).toHaveLength(5);
  });

  it("backs off between polls: 1 s, 1.5 s, 2.25 s …, capped", async () => {
    endpoint.statusOk(...Array(8).fill("awaiting_payment"));
    const times: number[] = [];
    const timed: typeof fetch = (input, init) => {
      times.push(clock.now() - T0);
      return endpoint.fetch(input, init);
    };
    view = mount({ ...endpoint, fetch: timed }, clock, { href: RETURN_HREF, options: { pollMaxMs: 4000 } });
    await clock.advance(20_000);
    expect(times.slice(0, 6)).toEqual([0, 1000, 2500, 4750, 8125, 12125]);
  });

  it("an endpoint that holds status requests gets long polls one after the other", async () => {
    const holds = (status: string) => ({
      status: 200,
      body: { status, readableEventId: RID, longPollSeconds: 25 },
    });
    endpoint.status(holds("awaiting_payment"), holds("paid"), holds("paid"), holds("finalizing"));
    endpoint.statusOk("finalized");
    const times: number[] = [];
    // The endpoint holds each waiting request 5 s (as it does until the status changes).
    const holding: typeof fetch = (input, init) => {
      times.push(clock.now() - T0);
      if (!String(input).includes("wait=")) return endpoint.fetch(input, init);
      return new Promise((resolve) => clock.setTimeout(() => resolve(endpoint.fetch(input, init)), 5000));
    };
    view = mount({ ...endpoint, fetch: holding }, clock, { href: RETURN_HREF });
    await clock.advance(60_000);
    // The first long poll leaves at once, each next one the moment the last is answered.
    expect(times).toEqual([0, 0, 5000, 10_000, 15_000]);
    const status = `GET ${ENDPOINT}/v1/purchases/${PID}/status`;
    expect(endpoint.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `${status}?returned=1`,
      `${status}?wait=20&seen=awaiting_payment`,
      `${status}?wait=20&seen=paid`,
      `${status}?wait=20&seen=paid`,
      `${status}?wait=20&seen=finalizing`,
    ]);
    expect(view.navigations).toEqual([`${PORTAL}/event/confirmation?id=${RID}`]);
  });

  it("in a background tab (timers at most once a second) the next long poll still leaves at once", async () => {
    const holds = (status: string) => ({
      status: 200,
      body: { status, readableEventId: RID, longPollSeconds: 25 },
    });
    endpoint.status(holds("awaiting_payment"), holds("paid"));
    endpoint.statusOk("finalized");
    const times: number[] = [];
    const holding: typeof fetch = (input, init) => {
      times.push(clock.now() - T0);
      if (!String(input).includes("wait=")) return endpoint.fetch(input, init);
      return new Promise((resolve) => clock.setTimeout(() => resolve(endpoint.fetch(input, init)), 5000));
    };
    const hidden = {
      ...clock,
      setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, Math.max(ms, 1000)),
    };
    view = mount({ ...endpoint, fetch: holding }, hidden, { href: RETURN_HREF });
    await clock.advance(30_000);
    expect(times).toEqual([0, 0, 5000]);
    expect(view.navigations).toEqual([`${PORTAL}/event/confirmation?id=${RID}`]);
  });

  it("a long poll answered at once with nothing new falls back to the polling schedule", async () => {
    const holds = (status: string) => ({
      status: 200,
      body: { status, readableEventId: RID, longPollSeconds: 25 },
    });
    endpoint.status(...Array(5).fill(holds("paid")));
    const times: number[] = [];
    const timed: typeof fetch = (input, init) => {
      times.push(clock.now() - T0);
      return endpoint.fetch(input, init);
    };
    view = mount({ ...endpoint, fetch: timed }, clock, { href: RETURN_HREF });
    await clock.advance(5000);
    expect(times).toEqual([0, 0, 1000, 2500, 4750]);
  });

  it("refunded: says why and that the money is returned, then stops polling", async () => {
    endpoint.statusOk("refund_pending");
    endpoint.status({
      status: 200,
      body: { status: "refunded", readableEventId: RID, reason: "deadline_passed" },
    });
    view = mount(endpoint, clock, { href: RETURN_HREF });
    await clock.advance(0);
    expect(view.heading()).toBe("Refund in progress");
    await clock.advance(1000);
    expect(view.page.view()).toBe("refunded");
    expect(view.text()).toContain(
      "The payment was confirmed after the time allowed to complete the registration.",
    );
    expect(view.text()).toContain("returned in full");
    expect(view.live()).toContain("after the time allowed");
    await clock.advance(60_000);
    expect(endpoint.requests).toHaveLength(2);
    expect(clock.pending()).toBe(0);
  });

  it.each([
    ["expired", "Time to pay has run out"],
    ["failed", "Payment not completed"],
  ])("%s is final and offers the way back", async (status, heading) => {
    endpoint.statusOk(status);
    view = mount(endpoint, clock, { href: RETURN_HREF });
    await clock.advance(0);
    expect(view.heading()).toBe(heading);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    await clock.advance(60_000);
    expect(endpoint.requests).toHaveLength(1);
  });

  it("rides out a short outage, then offers Retry after repeated failures", async () => {
    endpoint.status("network-error", errorReply(503, "UNAVAILABLE"));
    endpoint.statusOk("paid");
    endpoint.status("network-error", "network-error", "network-error");
    view = mount(endpoint, clock, { href: RETURN_HREF });
    await clock.advance(0);
    expect(view.page.view()).toBe("checking");
    await clock.advance(2500);
    expect(view.page.view()).toBe("paid");
    await clock.advance(30_000);
    expect(view.page.view()).toBe("unreachable");
    expect(clock.pending()).toBe(0);
    endpoint.statusOk("finalized");
    view.button("Try again")?.click();
    await clock.advance(0);
    expect(view.navigations).toEqual([`${PORTAL}/event/confirmation?id=${RID}`]);
  });

  it("goes on to the configured confirmation page", async () => {
    endpoint.statusOk("finalized");
    view = mount(endpoint, clock, { href: RETURN_HREF, config: { confirmationPath: "/events/done" } });
    await clock.advance(0);
    expect(view.navigations).toEqual([`${PORTAL}/events/done?id=${RID}`]);
  });

  it("gives up politely after the configured time and lets the attendee retry", async () => {
    endpoint.statusOk(...Array(5).fill("finalizing"));
    view = mount(endpoint, clock, { href: RETURN_HREF, options: { pollGiveUpMs: 5000, pollMaxMs: 2000 } });
    await clock.advance(10_000);
    expect(view.page.view()).toBe("stalled");
    expect(view.button("Try again")).toBeDefined();
  });

  it("awaiting payment offers the way back to payment", async () => {
    endpoint.statusOk("awaiting_payment");
    view = mount(endpoint, clock, { href: RETURN_HREF });
    await clock.advance(0);
    endpoint.checkout(order());
    view.button("Go back to payment")?.click();
    await clock.advance(0);
    expect(view.page.view()).toBe("summary");
    await clock.advance(30_000);
    expect(endpoint.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
  });

  it("the endpoint's success marker alone is enough to follow the status", async () => {
    endpoint.statusOk("paid");
    view = mount(endpoint, clock, {
      href: `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}&gatewayReturn=success`,
    });
    await clock.advance(0);
    expect(view.page.view()).toBe("paid");
  });

  it("the page's old marker (epg=return, from before the upgrade) still follows the status", async () => {
    endpoint.statusOk("finalizing");
    view = mount(endpoint, clock, { href: `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}&EPG=return` });
    await clock.advance(0);
    expect(view.page.view()).toBe("finalizing");
    expect(endpoint.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it.each([
    ["refund_pending", null],
    ["refunded", "finalize_rejected"],
    ["expired", null],
    ["failed", null],
  ])("%s is no dead end: the way back to the event and the support contact", async (status, reason) => {
    endpoint.status({ status: 200, body: { status, readableEventId: RID, ...(reason ? { reason } : {}) } });
    view = mount(endpoint, clock, { href: RETURN_HREF });
    await clock.advance(0);
    expect(view.page.view()).toBe(status);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    expect(view.q<HTMLAnchorElement>(".epg-support a")?.href).toBe("mailto:help@contoso.example.test");
  });

  it.each([
    ["finalize_rejected", "The event system refused the registration"],
    ["amount_mismatch", "The amount paid did not match"],
    ["duplicate_payment", "This registration had already been paid for once."],
    [null, "The registration could not be completed."],
  ])("a refund for reason %s says so in its own words", async (reason, sentence) => {
    endpoint.status({ status: 200, body: { status: "refunded", readableEventId: RID, reason } });
    view = mount(endpoint, clock, { href: RETURN_HREF });
    await clock.advance(0);
    expect(view.q(".epg-text")?.textContent).toContain(sentence);
  });

  it("back after cancelling at the provider: says the payment was cancelled and offers Pay again", async () => {
    const v = await showSummary({ href: `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}&gatewayReturn=cancel` });
    expect(v.page.view()).toBe("summary");
    expect(v.q(".epg-notice")?.textContent).toBe(
      "Your payment was cancelled. You can still pay until the time below runs out.",
    );
    expect(v.live()).toMatch(/^Your payment was cancelled\. .*Contoso Summit 2027/);
    expect(v.q(".epg-countdown")?.textContent).toBe("Time left to pay: 47:00");
    expect(v.button("Pay €25.00")?.disabled).toBe(false);
  });

  it("a fresh arrival shows no cancel notice", async () => {
    const v = await showSummary();
    expect(v.q(".epg-notice")).toBeNull();
  });

  it("a cancel marker starts a fresh checkout instead of polling, and is not sent back", async () => {
    await showSummary({ href: `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}&epg=return&gatewayReturn=cancel` });
    expect(view?.page.view()).toBe("summary");
    expect((endpoint.requests[0]?.body as { returnUrl: string }).returnUrl).toBe(
      `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}`,
    );
  });
});

describe("French", () => {
  it("speaks French on the summary and in every state", async () => {
    const v = await showSummary({ config: { locale: "fr-FR" } });
    expect(v.root.getAttribute("lang")).toBe("fr-FR");
    expect(v.button(/^Payer/)?.textContent).toBe("Payer 25,00\u00a0€");
    expect(v.q(".epg-countdown")?.textContent).toBe("Temps restant pour payer : 47:00");
    expect(v.q(".epg-cancel")?.textContent).toBe("Annuler et revenir à l’événement");
    expect(v.text()).toContain("Participant 2");
    v.page.stop();

    endpoint.statusOk("paid", "refunded");
    view = mount(endpoint, clock, { href: RETURN_HREF, config: { locale: "fr-FR" } });
    await clock.advance(0);
    expect(view.heading()).toBe("Paiement reçu");
    await clock.advance(1000);
    expect(view.heading()).toBe("Paiement remboursé");
    expect(view.text()).toContain("L’inscription n’a pas pu être finalisée.");
  });

  it("falls back to English for a language without a catalogue", async () => {
    const v = await showSummary({ config: { locale: "de-DE" } });
    expect(v.button(/^Pay/)?.textContent).toBe("Pay 25,00\u00a0€");
  });
});

describe("accessibility basics", () => {
  it("has one live region, buttons of type button, and every action keyboard-reachable", async () => {
    const v = await showSummary();
    expect(v.root.querySelectorAll('[aria-live="polite"]')).toHaveLength(1);
    for (const b of v.root.querySelectorAll("button")) expect(b.getAttribute("type")).toBe("button");
    for (const a of v.root.querySelectorAll("a")) expect(a.getAttribute("href")).toBeTruthy();
    expect(v.root.querySelectorAll("[style],[onclick],[tabindex='0']")).toHaveLength(0);
    expect(v.q("section")?.getAttribute("aria-labelledby")).toBe("epg-heading");
  });
});
