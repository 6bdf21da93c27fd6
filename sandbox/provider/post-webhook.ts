// One webhook attempt on the wire: the signed JSON POST with Stripe's headers, bounded by a
// timeout. Answers the status, or why there was none.
import { signWebhookPayload } from "./sign-webhook";

export interface PostOutcome {
  status: number | null;
  error: string | null;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = inner instanceof Error ? (inner as Error & { code?: string }).code : undefined;
    return code === undefined ? cause.message : `${cause.message} (${code})`;
  }
  return String(cause);
}

/** `controllers` holds the attempt while it runs, so closing the dispatcher can abort it. */
export async function postWebhook(
  url: string,
  payload: string,
  signing: { secrets: readonly string[]; nowSeconds: number },
  timeoutMs: number,
  controllers: Set<AbortController>,
): Promise<PostOutcome> {
  const header = signWebhookPayload(payload, signing.secrets, signing.nowSeconds);
  const controller = new AbortController();
  controllers.add(controller);
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "stripe-signature": header,
        "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) sandbox-stand-in",
        accept: "*/*; q=0.5, application/xml",
      },
      body: payload,
      signal: controller.signal,
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, error: null };
  } catch (cause) {
    return {
      status: null,
      error: controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describe(cause),
    };
  } finally {
    clearTimeout(timer);
    controllers.delete(controller);
  }
}
