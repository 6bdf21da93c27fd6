// `npm start -- --store postgres --instances 3` over plain HTTP: the sandbox runs its endpoint on a
// throwaway PostgreSQL cluster as three instances behind one port; registrations, checkouts,
// webhooks and status calls are dealt out in turn, and every paid purchase is finalized once.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox } from "../../sandbox/start-sandbox";
import { createSandboxSiteBuilder } from "../../scripts/start";
import { postgresBinForTests } from "../store/postgres-cluster";

const bin = postgresBinForTests();
let dataDir: string;
let sandbox: Sandbox | null = null;

beforeAll(async () => {
  if (!bin) return;
  dataDir = mkdtempSync(join(tmpdir(), "epg-pg-sandbox-"));
  sandbox = await startSandbox({
    dataDir,
    buildSite: createSandboxSiteBuilder(),
    store: "postgres",
    instances: 3,
  });
}, 90_000);

afterAll(async () => {
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function registerAndPay(sb: Sandbox, email: string): Promise<string> {
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
      returnUrl: registered.redirectUrl,
    }),
  });
  expect(checkout.status).toBe(200);
  const session = sb.provider.state
    .sessions(50)
    .find((s) => s.client_reference_id === registered.purchaseId)!;
  sb.provider.pay(session.id);
  return registered.purchaseId;
}

describe.skipIf(!bin)("the sandbox on PostgreSQL with three endpoint instances", () => {
  it("every paid purchase is finalized once, whichever instance took each call", async () => {
    const sb = sandbox!;
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await registerAndPay(sb, `ada${i}@example.com`));
    await sb.provider.idle();
    for (const id of ids) {
      let status = "";
      for (const until = Date.now() + 20_000; Date.now() < until && status !== "finalized";) {
        status = (
          (await (await fetch(`${sb.urls.endpoint}/v1/purchases/${id}/status`)).json()) as { status: string }
        ).status;
        if (status !== "finalized") await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe("finalized");
      expect(sb.dataverse.state.purchase(id).processed).toBe(true);
      expect(sb.dataverse.state.purchase(id).registrationIds).toHaveLength(1);
    }
    expect(sb.dataverse.state.stats.actionCalls).toMatchObject({
      msevtmgt_FinalizeExternalRegistrationRequest: 4,
    });
    const summary = await sb.endpoint.store.summary();
    expect(summary.purchasesByState.finalized).toBe(4);
    // The payments table: one finalized row per purchase, whichever instance's background lane wrote it.
    let rows: Array<{ purchaseId: string; status: string }> = [];
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      rows = (await sb.status()).payments;
      if (rows.filter((r) => r.status === "finalized").length === 4) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows.map((r) => [r.purchaseId, r.status]).sort()).toEqual(
      ids.map((id) => [id, "finalized"]).sort(),
    );
  });
});
