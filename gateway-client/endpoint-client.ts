// Talks to the confirmation endpoint through the v1 contract: POST /v1/checkout and
// GET /v1/purchases/{id}/status. Every answer goes through the contract's own guards before the
// page shows anything from it; a shape the endpoint never sends is refused, not guessed at.
import {
  isCheckoutAnswer,
  isErrorAnswer,
  isStatusAnswer,
} from "../confirmation-endpoint/contract/validate-v1";
import type { CheckoutAnswer, CheckoutRequest, StatusAnswer } from "../confirmation-endpoint/contract/v1";
import type { PurchaseStatus } from "../confirmation-endpoint/contract/v1";
import { RETURNED_QUERY, SEEN_QUERY, WAIT_QUERY } from "../confirmation-endpoint/contract/v1";
import { EndpointHttpError, GatewayError } from "./errors";

export interface EndpointClientDeps {
  endpointUrl: string;
  fetch: typeof fetch;
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (id: number) => void;
  timeoutMs?: number | undefined;
}

function badAnswer(path: string, cause?: unknown): GatewayError {
  return new GatewayError("ENDPOINT_BAD_RESPONSE", `The endpoint's answer to ${path} is not a v1 answer.`, {
    hint: "Deploy the endpoint and the gateway page from the same kit version.",
    cause,
  });
}

/** The currency must also be one this browser can format, or the page could not show the total. */
function checkCurrency(answer: CheckoutAnswer): CheckoutAnswer {
  try {
    new Intl.NumberFormat("en", { style: "currency", currency: answer.purchase.amount.currency });
  } catch (cause) {
    throw badAnswer("/v1/checkout", cause);
  }
  return answer;
}

export function createEndpointClient(deps: EndpointClientDeps) {
  const timeoutMs = deps.timeoutMs ?? 15_000;

  async function call(path: string, init: RequestInit, extraMs = 0): Promise<unknown> {
    const controller = new AbortController();
    const timer = deps.setTimeout(() => controller.abort(), timeoutMs + extraMs);
    let response: Response;
    try {
      response = await deps.fetch(`${deps.endpointUrl}${path}`, {
        ...init,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        signal: controller.signal,
      });
    } catch (cause) {
      throw new GatewayError("ENDPOINT_UNREACHABLE", `Could not reach ${deps.endpointUrl}${path}.`, {
        hint: "Check the connection, and that PaymentGateway/EndpointUrl names a running endpoint.",
        retryable: true,
        cause,
      });
    } finally {
      deps.clearTimeout(timer);
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = isErrorAnswer(body) ? body.error : null;
      throw new EndpointHttpError(
        response.status,
        error?.code ?? null,
        error?.message || `The endpoint answered ${response.status} to ${path}.`,
      );
    }
    return body;
  }

  return {
    async startCheckout(request: CheckoutRequest): Promise<CheckoutAnswer> {
      const body = await call("/v1/checkout", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(request),
      });
      if (!isCheckoutAnswer(body)) throw badAnswer("/v1/checkout");
      return checkCurrency(body);
    },
    /**
     * `returned`: the attendee just came back from the provider (it may have a payment to capture).
     * `wait`: long poll, the endpoint may hold the answer up to `seconds` while the status is `seen`
     * (the request's time-out grows by as much).
     */
    async getStatus(
      purchaseId: string,
      options: { returned?: boolean; wait?: { seconds: number; seen: PurchaseStatus } | null } = {},
    ): Promise<StatusAnswer> {
      const query = new URLSearchParams();
      if (options.returned) query.set(RETURNED_QUERY, "1");
      if (options.wait) {
        query.set(WAIT_QUERY, String(options.wait.seconds));
        query.set(SEEN_QUERY, options.wait.seen);
      }
      const search = query.toString();
      const path = `/v1/purchases/${encodeURIComponent(purchaseId)}/status${search ? `?${search}` : ""}`;
      const headers = { Accept: "application/json" };
      const body = await call(path, { method: "GET", headers }, (options.wait?.seconds ?? 0) * 1000);
      if (!isStatusAnswer(body)) throw badAnswer(path);
      return body;
    },
  };
}

export type EndpointClient = ReturnType<typeof createEndpointClient>;
