// The sandbox over plain HTTP: the event site's register API creates the purchase in the Dataverse
// stand-in, the real confirmation endpoint starts checkout at the provider stand-in, a payment there
// sends a signed webhook, the endpoint's worker finalizes, and two registrations exist. Then a
// restart on the same data folder keeps everything, and close() leaves nothing open.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox } from "../../sandbox/start-sandbox";
import { createSandboxClock } from "../../sandbox/sandbox-clock";
import { createSandboxSiteBuilder } from "../../scripts/start";

const buildSite = createSandboxSiteBuilder();
let dataDir: string;
let sandbox: Sandbox | null = null;
let baseline: string[] = [];

/** Handles that count as "open": servers, sockets, timers. */
const openHandles = () =>
  process
    .getActiveResourcesInfo()
    .filter((r) => /TCP|Timeout|Immediate|FSWatcher|Pipe/.test(r))
    .sort();

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function pageToken(sb: Sandbox): Promise<string> {
  const html = await (await fetch(sb.urls.registration)).text();
  const token = /<meta name="token" content="([^"]+)">/.exec(html)?.[1];
  if (!token) throw new Error("The registration page carries no token meta tag.");
  return token;
}

async function register(sb: Sandbox, rid: string, attendees: unknown[], token?: string) {
  const res = await fetch(
    `${sb.urls.portal}/api/events/register/?readableEventId=${encodeURIComponent(rid)}&ts=${Date.now()}`,
    {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        validation: token ?? (await pageToken(sb)),
      },
      body: `json=${encodeURIComponent(JSON.stringify({ attendees, hipObject: null }))}`,
    },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  baseline = openHandles();
  dataDir = mkdtempSync(join(tmpdir(), "epg-sandbox-"));
  sandbox = await startSandbox({ dataDir, buildSite });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** GET /api/events/registrations: the registrations one purchase made, as the confirmation page reads them. */
async function registrationsOf(
  sb: Sandbox,
  readableEventId: string,
  purchaseId: string,
): Promise<Array<{ name: string; email: string; passName: string | null }>> {
  const query = `readableEventId=${encodeURIComponent(readableEventId)}&purchaseId=${purchaseId}`;
  const res = await fetch(`${sb.urls.portal}/api/events/registrations?${query}`);
  expect(res.status).toBe(200);
  return (
    (await res.json()) as { registrations: Array<{ name: string; email: string; passName: string | null }> }
  ).registrations;
}

describe("startSandbox", () => {
  it("serves the event pages, the gateway page with the endpoint's URL, and the status page", async () => {
    const sb = sandbox!;
    const event = await fetch(sb.urls.paidEvent);
    expect(event.status).toBe(200);
    expect(event.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await event.text();
    expect(html).toContain("<h1>Sandbox Summit</h1>");
    expect(html).toContain("€40.00");
    expect(html).toContain("€15.00");
    expect(html).toContain('href="/event/registration?id=Sandbox_Summit_2026"');
    const gateway = await (await fetch(`${sb.urls.gatewayPage}?id=Sandbox_Summit_2026`)).text();
    expect(gateway).toContain(`data-endpoint-url="${sb.urls.endpoint}"`);
    expect((await fetch(`${sb.urls.portal}/event?id=Nope`)).status).toBe(404);
    const french = await (await fetch(`${sb.urls.portal}/fr-FR/event?id=Sandbox_Summit_2026`)).text();
    expect(french).toContain('href="/fr-FR/event/registration?id=Sandbox_Summit_2026"');
    expect(await (await fetch(`${sb.urls.portal}/event/payment?id=Sandbox_Summit_2026`)).text()).toContain(
      "No payment gateway for Sandbox Summit",
    );
    // The Event API (real-time journeys) answers the portal's origin only.
    const foreign = await fetch(
      `${sb.dataverse.eventApiUrl}events/Sandbox_Summit_2026/registrations?emApplicationtoken=${encodeURIComponent(sb.dataverse.eventApiToken)}`,
      {
        method: "POST",
        headers: { Origin: "https://other.example", "Content-Type": "application/json" },
        body: "{}",
      },
    );
    expect(foreign.status).toBe(403);
    const status = await fetch(sb.urls.status);
    expect(status.status).toBe(200);
    expect(await status.text()).toContain("<h1>Sandbox status</h1>");
    // The endpoint's Dataverse client (against the stand-in) is on /metrics: no user held yet.
    const metrics = await (await fetch(`${sb.urls.endpoint}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_dataverse_users_held 0$/m);
    expect(metrics).toMatch(/^gateway_dataverse_hold_seconds_left 0$/m);
  });

  it("register two attendees → checkout → pay → webhook → finalized → two registrations", async () => {
    const sb = sandbox!;
    const [full, day] = sb.seed.paidEvent.passes;
    const reg = await register(sb, "Sandbox_Summit_2026", [
      { firstName: "Ada", lastName: "Lovelace", email: "ada.http@example.com", passId: full!.id },
      { firstName: "Grace", lastName: "Hopper", email: "grace.http@example.com", passId: day!.id },
    ]);
    expect(reg.status).toBe(200);
    expect(reg.body.status).toBe("Redirect");
    const purchaseId = String(reg.body.purchaseId);
    expect(reg.body.redirectUrl).toBe(
      `${sb.urls.gatewayPage}?id=Sandbox_Summit_2026&purchaseId=${purchaseId}`,
    );
    const pending = sb.dataverse.state.purchase(purchaseId);
    expect(pending).toMatchObject({ state: "pending", paid: false, processed: false, totalPrice: 55 });

    const checkout = await fetch(`${sb.urls.endpoint}/v1/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: sb.urls.portal },
      body: JSON.stringify({
        purchaseId,
        readableEventId: "Sandbox_Summit_2026",
        locale: "en-US",
        returnUrl: `${String(reg.body.redirectUrl)}&epg=return`,
      }),
    });
    expect(checkout.status).toBe(200);
    expect(checkout.headers.get("access-control-allow-origin")).toBe(sb.urls.portal);
    const started = (await checkout.json()) as {
      purchase: { amount: { minor: number; currency: string }; attendees: unknown[] };
      payment: { redirectUrl: string };
    };
    expect(started.purchase.amount).toEqual({ minor: 5500, currency: "EUR" });
    expect(started.purchase.attendees).toHaveLength(2);
    expect(started.payment.redirectUrl.startsWith(sb.urls.providerApi)).toBe(true);
    const sessionId = /\/c\/pay\/([^/?#]+)/.exec(started.payment.redirectUrl)?.[1];
    expect(sessionId).toMatch(/^cs_/);

    sb.provider.pay(sessionId!);
    const final = await waitFor("the purchase to be finalized", async () => {
      const res = await fetch(`${sb.urls.endpoint}/v1/purchases/${purchaseId}/status`);
      const body = (await res.json()) as { status: string; confirmationUrl?: string };
      return body.status === "finalized" ? body : undefined;
    });
    expect(final.confirmationUrl).toBe(`${sb.urls.portal}/event/confirmation?id=Sandbox_Summit_2026`);
    const done = sb.dataverse.state.purchase(purchaseId);
    expect(done).toMatchObject({ paid: true, processed: true });
    expect(done.registrationIds).toHaveLength(2);
    const names = sb.dataverse.state
      .list("msevtmgt_eventregistrations")
      .filter((r) => done.registrationIds.includes(String(r.msevtmgt_eventregistrationid)));
    expect(names.map((r) => r.msevtmgt_name).sort()).toEqual(["Ada Lovelace", "Grace Hopper"]);

    // The confirmation page names no one itself; its script asks for this purchase's registrations.
    const confirmation = await (await fetch(final.confirmationUrl!)).text();
    expect(confirmation).not.toContain("ada.http@example.com");
    const mine = JSON.stringify(await registrationsOf(sb, "Sandbox_Summit_2026", purchaseId));
    expect(mine).toContain("ada.http@example.com");
    expect(mine).toContain("grace.http@example.com");
    expect(mine).toContain("Full conference");
    const status = await sb.status();
    expect(status.purchases.find((p) => p.purchaseId === purchaseId)).toMatchObject({
      endpointState: "finalized",
      processed: true,
      registrations: 2,
    });
    // The payments table the sandbox made at start holds the payment once the background lane ran.
    const row = await waitFor("the payments-table row", async () =>
      (await sb.status()).payments.find((p) => p.purchaseId === purchaseId && p.status === "finalized"),
    );
    expect(row).toMatchObject({ provider: "stripe", amountMinor: 5500, refundedMinor: 0, currency: "EUR" });
    expect(await (await fetch(sb.urls.status)).text()).toContain("Payments table (Dataverse)");
  }, 30_000);

  it("a free event registers at once and answers the confirmation page", async () => {
    const sb = sandbox!;
    const reg = await register(sb, "Sandbox_Meetup_2026", [
      { firstName: "Linus", lastName: "Free", email: "linus.free@example.com" },
    ]);
    expect(reg.body).toMatchObject({
      status: "Success",
      redirectUrl: `${sb.urls.portal}/event/confirmation?id=Sandbox_Meetup_2026`,
    });
    expect((await fetch(String(reg.body.redirectUrl))).status).toBe(200);
    const mine = await registrationsOf(sb, "Sandbox_Meetup_2026", String(reg.body.purchaseId));
    expect(mine.map((r) => r.email)).toEqual(["linus.free@example.com"]);
    // Another purchase of the same event is not among them (issue #20, item 12).
    const other = await register(sb, "Sandbox_Meetup_2026", [
      { firstName: "Other", lastName: "Person", email: "other.free@example.com" },
    ]);
    const theirs = await registrationsOf(sb, "Sandbox_Meetup_2026", String(other.body.purchaseId));
    expect(theirs.map((r) => r.email)).toEqual(["other.free@example.com"]);
  });

  it("the register API refuses a stale token, bad attendees and an unknown pass, with the portal's shapes", async () => {
    const sb = sandbox!;
    const stale = await register(
      sb,
      "Sandbox_Summit_2026",
      [{ firstName: "A", lastName: "B", email: "a@b.example" }],
      "not-the-token",
    );
    expect(stale.status).toBe(403);
    expect(stale.body.error).toMatchObject({ type: "InvalidToken", statusCode: 403 });
    const noEmail = await register(sb, "Sandbox_Summit_2026", [
      { firstName: "A", lastName: "B", email: "nope" },
    ]);
    expect(noEmail).toMatchObject({
      status: 400,
      body: { status: "Error", errorMessage: "Attendee 1 needs a valid e-mail address." },
    });
    const badPass = await register(sb, "Sandbox_Summit_2026", [
      { firstName: "A", lastName: "B", email: "a@b.example", passId: "00000000-0000-4000-8000-000000000000" },
    ]);
    expect(badPass.status).toBe(400);
    expect(String(badPass.body.errorMessage)).toMatch(/choose one of the event's passes/);
    const huge = await fetch(`${sb.urls.portal}/api/events/register/?readableEventId=Sandbox_Summit_2026`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", validation: await pageToken(sb) },
      body: `json=${"x".repeat(70 * 1024)}`,
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { errorMessage: string } }).error.errorMessage).toMatch(
      /larger than 65536 bytes/,
    );
  });

  it("escapes what attendees typed on the confirmation and status pages", async () => {
    const sb = sandbox!;
    const reg = await register(sb, "Sandbox_Meetup_2026", [
      { firstName: "<script>alert(1)</script>", lastName: 'O\'Brien & "Co"', email: "hostile@example.com" },
    ]);
    expect(reg.body.status).toBe("Success");
    const html = await (await fetch(sb.urls.status)).text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("O&#39;Brien &amp; &quot;Co&quot;");
    // The confirmation page carries no attendee text; its script puts the JSON's in with textContent.
    const confirmation = await (await fetch(String(reg.body.redirectUrl))).text();
    expect(confirmation).not.toContain("alert(1)");
    const [mine] = await registrationsOf(sb, "Sandbox_Meetup_2026", String(reg.body.purchaseId));
    expect(mine?.name).toBe(`<script>alert(1)</script> O'Brien & "Co"`);
  });

  it("POST /sandbox/clock moves every part's clock; anything else is refused with a message", async () => {
    const sb = sandbox!;
    const before = sb.dataverse.now();
    const res = await fetch(`${sb.urls.portal}/sandbox/clock`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ advanceMinutes: 2 }),
    });
    expect(res.status).toBe(200);
    expect(sb.dataverse.now() - before).toBeGreaterThanOrEqual(120_000);
    expect(Math.abs(sb.provider.now() - sb.dataverse.now())).toBeLessThan(1_000);
    const back = await fetch(`${sb.urls.portal}/sandbox/clock`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ advanceMinutes: -5 }),
    });
    expect(back.status).toBe(400);
    expect(((await back.json()) as { error: { message: string } }).error.message).toMatch(
      /only moves forward/,
    );
    const form = await fetch(`${sb.urls.portal}/sandbox/clock`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ advanceMinutes: 5 }),
    });
    expect(form.status).toBe(400);
  });

  it("a restart on the same data folder keeps the purchases and registrations", async () => {
    const before = await sandbox!.status();
    const registrations = sandbox!.dataverse.state.list("msevtmgt_eventregistrations").length;
    await sandbox!.close();
    sandbox = await startSandbox({ dataDir, buildSite });
    const after = await sandbox.status();
    expect(after.purchases.map((p) => [p.purchaseId, p.endpointState])).toEqual(
      before.purchases.map((p) => [p.purchaseId, p.endpointState]),
    );
    expect(sandbox.dataverse.state.list("msevtmgt_eventregistrations")).toHaveLength(registrations);
    const gateway = await (await fetch(`${sandbox.urls.gatewayPage}?id=Sandbox_Summit_2026`)).text();
    expect(gateway).toContain(`data-endpoint-url="${sandbox.urls.endpoint}"`);
  }, 60_000);

  it("close() leaves no server, socket or timer open", async () => {
    await sandbox!.close();
    sandbox = null;
    await new Promise((r) => setTimeout(r, 50));
    // Whatever is open now and was not open before the sandbox started.
    const extra = [...openHandles()];
    for (const kind of baseline) {
      const at = extra.indexOf(kind);
      if (at >= 0) extra.splice(at, 1);
    }
    expect(extra).toEqual([]);
  });
});

describe("fresh start", () => {
  it("refuses to delete a folder that is not a sandbox's, and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "epg-not-sandbox-"));
    try {
      writeFileSync(join(dir, "thesis.tex"), "keep me");
      await expect(startSandbox({ dataDir: dir, fresh: true, buildSite })).rejects.toMatchObject({
        code: "NOT_A_SANDBOX_FOLDER",
      });
      expect(readFileSync(join(dir, "thesis.tex"), "utf8")).toBe("keep me");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("sandbox clock", () => {
  it("moves forward only and survives a restart through its file", () => {
    const dir = mkdtempSync(join(tmpdir(), "epg-clock-"));
    try {
      const file = join(dir, "clock.json");
      const clock = createSandboxClock({ file, base: () => 1_000 });
      clock.advance(60_000);
      expect(clock.now()).toBe(61_000);
      expect(() => clock.advance(-1)).toThrow(/forward only/);
      expect(createSandboxClock({ file, base: () => 5_000 }).now()).toBe(65_000);
      writeFileSync(file, "{ not json");
      expect(() => createSandboxClock({ file })).toThrow(
        expect.objectContaining({ code: "UNREADABLE_CLOCK_FILE", message: expect.stringContaining(file) }),
      );
      writeFileSync(file, '{"offsetMs": -5}\n');
      expect(() => createSandboxClock({ file })).toThrow(/no offsetMs of 0 or more/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm start", () => {
  it("answers --help and refuses a bad port with a message and exit code 1", async () => {
    const run = promisify(execFile);
    const help = await run(process.execPath, ["--import", "tsx", "scripts/start.ts", "--help"], {
      cwd: process.cwd(),
    });
    expect(help.stdout).toContain("Usage: npm start");
    expect(help.stdout).toContain("--fresh");
    const bad = await run(process.execPath, ["--import", "tsx", "scripts/start.ts", "--port", "abc"], {
      cwd: process.cwd(),
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toContain('--port "abc" is not usable');
  }, 30_000);
});
