// Issue #20 on the gateway page: the language prefix kept on every link (item 2), every end state
// with a way back and the support contact (item 5), and a viewport tag and a main landmark only when
// the portal's layout lacks them (item 6).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureMainLandmark, ensureViewport } from "../../gateway-client/page-frame";
import { languagePrefix } from "../../gateway-client/site-links";
import { createClock, createEndpoint, errorReply, mount, order, PID, PORTAL, RID } from "./fakes";

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

const FRENCH = `${PORTAL}/fr-FR/pay/?id=${RID}&purchaseId=${PID}`;

describe("the language prefix survives every hop (item 2)", () => {
  it("is the page's own language only", () => {
    expect(languagePrefix("/fr-FR/pay/", "fr-FR")).toBe("/fr-FR");
    expect(languagePrefix("/fr-fr/pay/", "fr-FR")).toBe("/fr-fr");
    expect(languagePrefix("/pay/", "fr-FR")).toBe("");
    // A page whose partial URL looks like a code, on a site in another language: not a prefix.
    expect(languagePrefix("/de-DE/pay/", "fr-FR")).toBe("");
    expect(languagePrefix("/fr-FR", "fr-FR")).toBe("");
  });

  it("French page: return URL, confirmation path, Cancel and the confirmation redirect keep /fr-FR", async () => {
    endpoint.checkout(order());
    view = mount(endpoint, clock, { href: FRENCH, config: { locale: "fr-FR" } });
    await clock.advance(0);
    const request = endpoint.requests[0]?.body as Record<string, string>;
    expect(new URL(request.returnUrl ?? "").pathname).toBe("/fr-FR/pay/");
    expect(request.confirmationPath).toBe("/fr-FR/event/confirmation");
    expect(view.q<HTMLAnchorElement>(".epg-cancel")?.href).toBe(`${PORTAL}/fr-FR/event?id=${RID}`);
    view.page.stop();

    endpoint.statusOk("finalized");
    view = mount(endpoint, clock, { href: `${FRENCH}&gatewayReturn=success`, config: { locale: "fr-FR" } });
    await clock.advance(0);
    expect(view.navigations).toEqual([`${PORTAL}/fr-FR/event/confirmation?id=${RID}`]);
  });

  it("an unprefixed page sends the confirmation path only when the portal configured one", async () => {
    endpoint.checkout(order());
    view = mount(endpoint, clock, { config: { confirmationPath: "" } });
    await clock.advance(0);
    expect(endpoint.requests[0]?.body).not.toHaveProperty("confirmationPath");
  });

  it("the way back from an end state keeps the prefix too", async () => {
    endpoint.checkout(errorReply(410, "TOO_LATE"));
    view = mount(endpoint, clock, { href: FRENCH, config: { locale: "fr-FR" } });
    await clock.advance(0);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/fr-FR/event?id=${RID}`);
  });
});

describe("every end state has a way back and the support contact (item 5)", () => {
  const settled = ["refund_pending", "refunded", "expired", "failed"];
  it.each(settled)("%s", async (status) => {
    endpoint.statusOk(status);
    view = mount(endpoint, clock, {
      href: `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}&gatewayReturn=success`,
    });
    await clock.advance(0);
    expect(view.page.view()).toBe(status);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    expect(view.q<HTMLAnchorElement>(".epg-support a")?.href).toBe("mailto:help@contoso.example.test");
  });

  it.each([
    [404, "PURCHASE_NOT_FOUND", "not_found", "Registration not found"],
    [410, "TOO_LATE", "expired", "Time to pay has run out"],
    [400, "INVALID_REQUEST", "invalid", "This payment link is not valid"],
  ])("checkout %i %s → %s", async (status, code, state, heading) => {
    endpoint.checkout(errorReply(status, code));
    view = mount(endpoint, clock);
    await clock.advance(0);
    expect(view.page.view()).toBe(state);
    expect(view.heading()).toBe(heading);
    expect(view.q<HTMLAnchorElement>(".epg-link")?.href).toBe(`${PORTAL}/event?id=${RID}`);
    expect(view.text()).toContain("help@contoso.example.test");
    // Nothing to retry: a purchase that does not exist never comes back.
    expect(view.button("Try again")).toBeUndefined();
  });

  it("an empty contact shows no support line (the build warns about it instead)", async () => {
    endpoint.checkout(errorReply(404, "PURCHASE_NOT_FOUND"));
    view = mount(endpoint, clock, { config: { supportContact: "" } });
    await clock.advance(0);
    expect(view.q(".epg-support")).toBeNull();
    expect(view.q(".epg-link")).not.toBeNull();
  });
});

describe("viewport and main landmark only when the layout lacks them (item 6)", () => {
  beforeEach(() => {
    document.head.replaceChildren();
    document.body.replaceChildren();
  });

  it("adds one viewport tag to a head without one, and never a second", () => {
    expect(ensureViewport(document)).toBe(true);
    expect(ensureViewport(document)).toBe(false);
    const tags = document.querySelectorAll('meta[name="viewport"]');
    expect(tags).toHaveLength(1);
    expect(tags[0]?.getAttribute("content")).toBe("width=device-width, initial-scale=1");
  });

  it("keeps the site's own viewport tag, whatever its case", () => {
    document.head.innerHTML = '<meta name="Viewport" content="width=device-width">';
    expect(ensureViewport(document)).toBe(false);
    expect(document.head.querySelectorAll("meta")).toHaveLength(1);
  });

  it("makes the page the main landmark only when the layout has none", () => {
    const root = document.createElement("div");
    document.body.append(root);
    expect(ensureMainLandmark(root)).toBe(true);
    expect(root.getAttribute("role")).toBe("main");

    document.body.innerHTML = "<main><div id='inner'></div></main>";
    const inner = document.getElementById("inner")!;
    expect(ensureMainLandmark(inner)).toBe(false);
    expect(inner.hasAttribute("role")).toBe(false);

    document.body.innerHTML = "<div role='main'></div><div id='outside'></div>";
    expect(ensureMainLandmark(document.getElementById("outside")!)).toBe(false);
  });
});
