// The doctor's PayPal lines against the stand-in: credentials and webhook id pass, a wrong secret
// or an unknown webhook id fails with the fix, a variable problem fails naming the variable.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPayPalFromEnv } from "../../confirmation-endpoint/providers/paypal/check-setup";
import { startPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";
import type { RunningPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";

let standIn: RunningPayPalStandIn;
const env = () => ({
  PAYPAL_CLIENT_ID: "stand-in-client",
  PAYPAL_CLIENT_SECRET: "stand-in-only",
  PAYPAL_WEBHOOK_ID: "WHDOCTOR1",
  PAYPAL_ENVIRONMENT: "sandbox",
  PAYPAL_API_BASE: standIn.url,
});

beforeAll(async () => {
  standIn = await startPayPalStandIn({
    clientId: "stand-in-client",
    clientSecret: "stand-in-only",
    webhookId: "WHDOCTOR1",
  });
  standIn.setWebhookUrl("https://gateway.contoso.com/v1/webhooks/paypal");
});
afterAll(async () => standIn.stop());

describe("doctor's PayPal checks", () => {
  it("passes good credentials and a webhook that points at the endpoint", async () => {
    const lines = await checkPayPalFromEnv(env());
    expect(lines.map((l) => [l.check, l.status])).toEqual([
      ["PayPal credentials", "pass"],
      ["PayPal webhook", "pass"],
    ]);
    expect(lines[1]!.detail).toContain("https://gateway.contoso.com/v1/webhooks/paypal");
  });

  it("fails a wrong secret without printing it, and an unknown webhook id", async () => {
    const wrong = await checkPayPalFromEnv({ ...env(), PAYPAL_CLIENT_SECRET: "not-the-one" });
    expect(wrong.map((l) => [l.check, l.status])).toEqual([["PayPal credentials", "fail"]]);
    expect(JSON.stringify(wrong)).not.toContain("not-the-one");
    const unknown = await checkPayPalFromEnv({ ...env(), PAYPAL_WEBHOOK_ID: "WHNOTTHERE" });
    expect(unknown.map((l) => l.status)).toEqual(["pass", "fail"]);
  });

  it("fails a missing variable by name", async () => {
    const lines = await checkPayPalFromEnv({ ...env(), PAYPAL_WEBHOOK_ID: "" });
    expect(lines).toEqual([
      expect.objectContaining({ status: "fail", detail: expect.stringMatching(/^PAYPAL_WEBHOOK_ID:/) }),
    ]);
  });
});
