// `npm start -- --provider adyen|paypal`: the chosen provider's stand-in beside the Stripe one, with
// credentials made for this run only, and the endpoint variables that point the kit at it
// (PAYMENT_PROVIDER among them). Each provider's specifics stay in its own folder; this is the one
// place the sandbox names them.

import { startSandboxAdyen } from "./adyen/sandbox-adyen";
import type { SandboxAdyen } from "./adyen/sandbox-adyen";
import { startSandboxPayPal } from "./paypal/sandbox-wiring";

export type SandboxProvider = "stripe" | "adyen" | "paypal";
export const SANDBOX_PROVIDERS: readonly SandboxProvider[] = ["stripe", "adyen", "paypal"];

export interface ExtraStandIn {
  name: SandboxProvider;
  url: string;
  /** The endpoint's variables for this provider; never printed. */
  env: Record<string, string>;
  /** Send the stand-in's webhooks to the running endpoint. */
  attach(endpointUrl: string): void;
  /** Deliver what is due now (after the sandbox clock moved). */
  runDueWork(): void;
  close(): Promise<void>;
  /** The Adyen parts, for the tests that drive its hosted page. */
  adyen: SandboxAdyen | null;
}

export async function startExtraStandIn(
  provider: SandboxProvider,
  now: () => number,
): Promise<ExtraStandIn | null> {
  if (provider === "adyen") {
    const adyen = await startSandboxAdyen({ now });
    return {
      name: "adyen",
      url: adyen.standIn.url,
      env: adyen.env,
      attach: (url) => adyen.attach(url),
      runDueWork: () => adyen.standIn.runDueWork(),
      close: () => adyen.standIn.close(),
      adyen,
    };
  }
  if (provider === "paypal") {
    const paypal = await startSandboxPayPal({ now });
    return {
      name: "paypal",
      url: paypal.standIn.url,
      env: paypal.env,
      attach: (url) => paypal.connect(url),
      // Its webhooks and voids run on their own timers.
      runDueWork: () => undefined,
      close: () => paypal.close(),
      adyen: null,
    };
  }
  return null;
}
