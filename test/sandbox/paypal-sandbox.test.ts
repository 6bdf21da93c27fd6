// `npm start -- --provider paypal` over plain HTTP: the sandbox starts the PayPal stand-in and
// points the endpoint at it; register → checkout opens a PayPal order → the buyer approves on the
// stand-in's page and is sent back to the gateway page → the endpoint captures on the webhook →
// finalized with two registrations. Cancel sends the buyer back to the order with nothing taken.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox } from "../../sandbox/start-sandbox";
import { createSandboxSiteBuilder } from "../../scripts/start";

let dataDir: string;
let sandbox: Sandbox | null = null;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "epg-paypal-sandbox-"));
  sandbox = await startSandbox({ dataDir, buildSite: createSandboxSiteBuilder(), provider: "paypal" });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function registerAndCheckout(sb: Sandbox, email: string) {
  const html = await (await fetch(sb.urls.registration)).text();
  const token = /<meta name="token" content="([^"]+)">/.exec(html)?.[1] ?? "";
  const [pass] = sb.seed.paidEvent.passes;
  const attendees = [{ firstName: "Ada", lastName: "Lovelace", email, passId: pass!.id }];
  const reg = await fetch(`${sb.urls.portal}/api/events/register/?readableEventId=Sandbox_Summit_2026`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", validation: token },
    body: `json=${encodeURIComponent(JSON.stringify({ attendees, hipObject: null }))}`,
  });
  const registered = (await reg.json()) as { purchaseId: string; redirectUrl: string };
  const checkout = await fetch(`${sb.urls.endpoint}/v1/checkout`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: sb.urls.portal },
    body: JSON.stringify({
      purchaseId: registered.purchaseId,
      readableEventId: "Sandbox_Summit_2026",
      returnUrl: `${registered.redirectUrl}&epg=return`,
    }),
  });
  expect(checkout.status).toBe(200);
  const started = (await checkout.json()) as { payment: { provider: string; redirectUrl: string } };
  expect(started.payment.provider).toBe("paypal");
  return { purchaseId: registered.purchaseId, approvalUrl: started.payment.redirectUrl };
}

async function press(approvalUrl: string, action: "approve" | "cancel"): Promise<string> {
  const page = await (await fetch(approvalUrl)).text();
  expect(page).toContain('id="approve"');
  const url = new URL(approvalUrl);
  const response = await fetch(`${url.origin}/checkoutnow/${action}`, {
    method: "POST",
    body: new URLSearchParams({ token: url.searchParams.get("token")! }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return response.headers.get("location")!;
}

async function statusOf(sb: Sandbox, purchaseId: string, wanted: string) {
  for (const until = Date.now() + 15_000; Date.now() < until;) {
    const body = (await (await fetch(`${sb.urls.endpoint}/v1/purchases/${purchaseId}/status`)).json()) as {
      status: string;
      confirmationUrl?: string;
    };
    if (body.status === wanted) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`purchase ${purchaseId} never reached ${wanted}`);
}

describe("the sandbox with --provider paypal", () => {
  it("register → approve at the PayPal stand-in → captured → finalized", async () => {
    const sb = sandbox!;
    const { purchaseId, approvalUrl } = await registerAndCheckout(sb, "ada.paypal@example.com");
    const back = await press(approvalUrl, "approve");
    expect(back.startsWith(`${sb.urls.gatewayPage}?`)).toBe(true);
    const final = await statusOf(sb, purchaseId, "finalized");
    expect(final.confirmationUrl).toBe(`${sb.urls.portal}/event/confirmation?id=Sandbox_Summit_2026`);
    expect(sb.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: true, processed: true });
  });

  it("cancel at PayPal returns to the order, which stays open", async () => {
    const sb = sandbox!;
    const { purchaseId, approvalUrl } = await registerAndCheckout(sb, "grace.paypal@example.com");
    const back = await press(approvalUrl, "cancel");
    expect(back.startsWith(`${sb.urls.gatewayPage}?`)).toBe(true);
    await statusOf(sb, purchaseId, "awaiting_payment");
  });
});
