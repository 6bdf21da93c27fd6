// POST /v1/checkout: validate the portal page's request, then start or resume payment.

import { z } from "zod";
import { startCheckout } from "../checkout/start-checkout";
import type { StartCheckoutDeps } from "../checkout/start-checkout";
import { CheckoutError } from "../checkout/errors";
import type { EventMode } from "../config";
import { isSitePath } from "../contract/v1";
import type { CheckoutAnswer, CheckoutRequest } from "../contract/v1";
import { HttpError } from "../errors";
import type { ReadGuard } from "../checkout/read-guard";
import { GUID_PATTERN, normalizeGuid } from "../guid";
import { parseJsonBody, readBodyCapped } from "../http/read-body";
import { jsonResponse } from "../http/responses";
import { samplerFor } from "../log-sampler";
import { NO_TRACING } from "../observability/tracing";

const MAX_CHECKOUT_BODY_BYTES = 16 * 1024;

/** A GUID as Dataverse writes it, accepting braces and upper case on the way in. */
const guidSchema = z
  .string({ error: "must be a string" })
  .max(40, "is too long for a GUID")
  .transform((v) => normalizeGuid(v) ?? v)
  .refine((v) => GUID_PATTERN.test(v), "must be a GUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301");

const checkoutSchema = z.object({
  // The contract's request field for field (the `satisfies` below makes the compiler check the keys).
  purchaseId: guidSchema,
  readableEventId: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, "must not be empty")
    .max(200, "must be at most 200 characters")
    .refine(
      (v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
      "must not contain control characters",
    ),
  userId: z.union([guidSchema, z.literal(""), z.null()]).optional(),
  locale: z
    .string({ error: "must be a string" })
    .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/, "must be a language tag like en or fr-FR")
    .nullable()
    .optional(),
  returnUrl: z.string({ error: "must be a string" }).max(2048, "must be at most 2048 characters"),
  // Kept with the purchase: the status answer's confirmation URL points at the portal's own page.
  confirmationPath: z
    .string({ error: "must be a string" })
    .max(200, "must be at most 200 characters")
    .refine(isSitePath, "must be a path on the portal like /event/confirmation")
    .optional(),
} satisfies Record<keyof CheckoutRequest, z.ZodType>);

export interface CheckoutRouteDeps extends StartCheckoutDeps {
  portalOrigins: readonly string[];
  eventMode: EventMode;
  /** Bounds checkouts of purchases not stored yet: each of those reads Dataverse. */
  readGuard?: ReadGuard;
  /** Who is asking (http/client-key.ts), for the per-client limit. */
  client?: string;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "body"} ${i.message}`)
    .join("; ");
}

function checkReturnUrl(raw: string, allowed: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpError(400, "INVALID_REQUEST", "returnUrl must be an absolute URL of the portal page.");
  }
  if (!allowed.includes(url.origin)) {
    throw new HttpError(
      400,
      "RETURN_URL_NOT_ALLOWED",
      "returnUrl must point at one of the configured portal origins (PORTAL_ORIGINS).",
    );
  }
  return url.toString();
}

/**
 * A made-up purchase id is the caller's mistake, not the endpoint's: a 404, counted, and a warn
 * line a minute at most, so nobody can flood the log or trip error alerts by inventing ids.
 */
function noteUnknownPurchase(deps: CheckoutRouteDeps): void {
  deps.metrics.increment("gateway_rejected_requests_total", {
    route: "checkout",
    reason: "unknown_purchase",
  });
  samplerFor(deps.logger, () => deps.clock.now()).log(
    "warn",
    "checkout:unknown_purchase",
    "checkout: unknown purchase",
    { status: 404 },
  );
}

export async function handleCheckout(request: Request, deps: CheckoutRouteDeps): Promise<Response> {
  const body = parseJsonBody(await readBodyCapped(request, MAX_CHECKOUT_BODY_BYTES));
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(
      400,
      "INVALID_REQUEST",
      "The body must be a JSON object with purchaseId, readableEventId and returnUrl.",
    );
  }
  const parsed = checkoutSchema.safeParse(body);
  if (!parsed.success)
    throw new HttpError(400, "INVALID_REQUEST", `Invalid checkout request: ${describeIssues(parsed.error)}.`);
  const input = parsed.data;
  if (deps.readGuard && !(await deps.store.getPurchase(input.purchaseId))) {
    // Purchase details, the purchase row: the Dataverse reads a new checkout costs.
    deps.readGuard.admit({
      client: deps.client ?? "unknown",
      route: "checkout",
      purchaseId: input.purchaseId,
      reads: 2,
    });
  }
  const returnUrl = checkReturnUrl(input.returnUrl, deps.portalOrigins);

  const tracing = deps.tracing ?? NO_TRACING;
  const start = () =>
    startCheckout(deps, {
      purchaseId: input.purchaseId,
      readableEventId: input.readableEventId,
      claimedUserId: input.userId ? input.userId : null,
      locale: input.locale ?? null,
      returnUrl,
      confirmationPath: input.confirmationPath ?? null,
      mode: deps.eventMode,
    });
  const attributes = { "http.route": "/v1/checkout", "event.mode": deps.eventMode };
  const { purchase, checkout } = await tracing
    .root("checkout", { purchaseId: input.purchaseId, kind: "server", attributes }, start)
    .catch((error: unknown) => {
      if (error instanceof CheckoutError && error.code === "PURCHASE_NOT_FOUND") {
        noteUnknownPurchase(deps);
        deps.readGuard?.rememberMissing(input.purchaseId);
      }
      throw error;
    });
  const answer: CheckoutAnswer = {
    purchase: {
      purchaseId: purchase.purchaseId,
      readableEventId: purchase.readableEventId,
      eventName: purchase.eventName,
      amount: { minor: purchase.expectedMinor, currency: purchase.currency },
      attendees: purchase.attendees,
      // The last moment to pay (close_at); the page counts down to it.
      expiresAt: new Date(purchase.closeAt).toISOString(),
      deadlineAt: new Date(purchase.deadlineAt).toISOString(),
    },
    payment: {
      provider: checkout.provider,
      redirectUrl: checkout.redirectUrl,
      expiresAt: new Date(checkout.expiresAt).toISOString(),
    },
  };
  return jsonResponse(200, answer);
}
