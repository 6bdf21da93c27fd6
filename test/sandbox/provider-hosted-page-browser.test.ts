// The hosted checkout page in real Chromium, driven by keyboard only: Pay has focus on arrival,
// Tab reaches Decline, the decline message is announced, and Enter on Pay lands on success_url.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProviderStandIn, type ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";

let browser: Browser;
let standIn: ProviderStandIn;
let portal: Server;
let portalUrl = "";

describe.skipIf(!findChromium({ required: process.env.CI === "true" }))(
  "hosted checkout page in Chromium",
  () => {
    beforeAll(async () => {
      portal = createServer((_request, response) => {
        response.writeHead(200, { "content-type": "text/html" });
        response.end("<!doctype html><title>Back on the portal</title><h1>Back on the portal</h1>");
      });
      await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
      portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
      standIn = await startProviderStandIn({ webhookSecret: "whsec_browser_test_0123456789" });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await standIn?.close();
      await new Promise<void>((resolve) => (portal ? portal.close(() => resolve()) : resolve()));
    });

    it("declines, then pays, with the keyboard alone", async () => {
      const base = new URL(standIn.apiBase);
      const stripe = new Stripe("sk_test_browser", {
        host: base.hostname,
        port: Number(base.port),
        protocol: "http",
      });
      const session = await stripe.checkout.sessions.create({
        mode: "payment",
        line_items: [
          {
            quantity: 2,
            price_data: { currency: "eur", unit_amount: 1250, product_data: { name: "Conference pass" } },
          },
        ],
        success_url: `${portalUrl}/done?cs={CHECKOUT_SESSION_ID}`,
        cancel_url: `${portalUrl}/cancelled`,
      });
      const page = await browser.newPage();
      const focused = (): Promise<string | undefined> =>
        page.evaluate(() => document.activeElement?.textContent?.trim());
      // Chromium applies `autofocus` at a rendering step after the load event: wait for it to land.
      const autofocused = async (): Promise<string | undefined> => {
        await page.waitForFunction(() => document.activeElement !== document.body, undefined, {
          timeout: 5_000,
        });
        return focused();
      };
      try {
        await page.goto(session.url ?? "");
        expect(await autofocused()).toBe("Pay €25.00");
        await page.keyboard.press("Tab");
        expect(await focused()).toBe("Decline card");
        await page.keyboard.press("Enter");
        await page.waitForURL(/declined=1/);
        expect(await page.getByRole("alert").textContent()).toContain("Your card was declined");

        expect(await autofocused()).toBe("Pay €25.00");
        await page.keyboard.press("Enter");
        await page.waitForURL(`${portalUrl}/done?cs=${session.id}`);
        expect(await page.title()).toBe("Back on the portal");
      } finally {
        await page.close();
      }
      const after = await stripe.checkout.sessions.retrieve(session.id);
      expect(after.payment_status).toBe("paid");
    });
  },
);
