// Real-time journeys in real Chromium against the sandbox: the custom event website's page
// registers through the Dataverse stand-in's Event API, follows its redirectUrl to the endpoint's
// /v1/rtm/pay, pays on the provider stand-in's hosted page and comes back; Dynamics (the stand-in)
// confirms the registration. An abandoned one (Cancel on the hosted page) gets its pass released.
// Screenshots in test-output/screenshots/ (names start with "rtm-").
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const run = useSandboxInChromium("rtm");

async function waitFor<T>(read: () => T, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Registers one attendee on the RTM page and lands on the provider's hosted page; returns the purchase id. */
async function registerOne(page: Page, tag: string): Promise<string> {
  await page.goto(run.sandbox.urls.rtmRegistration);
  await page.getByLabel("First name").fill("Katherine");
  await page.getByLabel("Last name").fill(`Johnson-${tag}`);
  await page.getByLabel("E-mail").fill(`katherine.${tag}@example.com`);
  await page.getByLabel("Pass").selectOption(run.sandbox.seed.paidEvent.passes[0]!.id);
  const toEndpoint = page.waitForRequest((r) =>
    r.url().startsWith(`${run.sandbox.urls.endpoint}/v1/rtm/pay?purchaseId=`),
  );
  await page.getByRole("button", { name: "Register and pay" }).click();
  const purchaseId = new URL((await toEndpoint).url()).searchParams.get("purchaseId")!;
  await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
  return purchaseId;
}

describe.skipIf(!run.haveChromium)("real-time journeys in Chromium", () => {
  it("Event API registration → /v1/rtm/pay → provider Pay → back → registration confirmed in Dataverse", async () => {
    const page = await (await run.browser.newContext({ viewport: { width: 480, height: 900 } })).newPage();
    const purchaseId = await registerOne(page, "paid");
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ mode: "rtm", state: "pending" });
    await run.shot(page, "provider-page");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/rtm\/register\?.*gatewayReturn=success/);
    expect(await page.getAttribute("#rtm-outcome", "data-outcome")).toBe("success");

    const purchase = await waitFor(
      () => run.sandbox.dataverse.state.purchase(purchaseId),
      (p) => p.state === "completed",
    );
    expect(purchase).toMatchObject({ state: "completed", processed: true });
    expect(purchase.registrationIds).toHaveLength(1);
    await page.reload();
    expect(await page.textContent("#rtm-registrations")).toContain("Katherine Johnson-paid");
    await run.shot(page, "confirmed");
    await page.context().close();
  }, 40_000);

  it("Cancel on the provider page → back on the event site, the reservation released at once", async () => {
    const passId = run.sandbox.seed.paidEvent.passes[0]!.id;
    const left = () =>
      Number(run.sandbox.dataverse.state.get("msevtmgt_passes", passId)?.msevtmgt_noofpassesleft);
    const page = await (await run.browser.newContext({ viewport: { width: 480, height: 900 } })).newPage();
    const before = left();
    const purchaseId = await registerOne(page, "abandoned");
    expect(left()).toBe(before - 1);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL(/\/rtm\/register\?.*gatewayReturn=cancel/);
    expect(await page.getAttribute("#rtm-outcome", "data-outcome")).toBe("cancel");
    await run.shot(page, "cancelled");

    const purchase = await waitFor(
      () => run.sandbox.dataverse.state.purchase(purchaseId),
      (p) => p.state === "cancelled",
    );
    expect(purchase.state).toBe("cancelled");
    expect(purchase.registrationIds).toHaveLength(0);
    expect(left()).toBe(before);
    await page.context().close();
  }, 40_000);
});
