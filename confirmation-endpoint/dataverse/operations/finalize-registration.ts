// msevtmgt_FinalizeExternalRegistrationRequest, sent once (the adx_ name after a missing segment is
// another action, not a resend). The answer is one of: finalized (a success `status`), rejected (a
// refusal a resend will not change), or a thrown error whose `ambiguous` flag says the request may
// have taken effect. Settling an unclear outcome (probing the purchase row, resending) is the
// worker's job: it keeps that state durably, so it holds across restarts and instances.

import { isPurchaseMissing, isSegmentNotFound, purchaseNotFound } from "../classify-not-found";
import type { DataverseResponse } from "../dataverse-client";
import { DataverseError } from "../errors";
import { normalizePurchaseId } from "../normalize-purchase-id";
import { redactBody } from "../redact";
import type { CallOptions, FinalizeInput, FinalizeOutcome } from "../types";
import type { OperationContext } from "./operation-context";

/** The code of the ambiguous error thrown when finalize answered a `status` outside the success set. */
export const FINALIZE_STATUS_UNEXPECTED = "FINALIZE_STATUS_UNEXPECTED";

/** The `status` output of the finalize action, wherever it sits (plain, or inside JSON text). */
export function readFinalizeStatus(body: unknown, depth = 0): string | null {
  if (depth > 3) return null;
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== "object") return null;
  const entries = Object.entries(value as Record<string, unknown>).filter(([key]) => !key.includes("@"));
  for (const [key, item] of entries) {
    if (key.toLowerCase() === "status" && (typeof item === "string" || typeof item === "number"))
      return String(item);
  }
  for (const [, item] of entries) {
    const inner = readFinalizeStatus(item, depth + 1);
    if (inner !== null) return inner;
  }
  return null;
}

function readAnswer(
  ctx: OperationContext,
  purchaseId: string,
  action: string,
  response: DataverseResponse,
): FinalizeOutcome {
  const status = readFinalizeStatus(response.data);
  const requestId = response.requestId;
  if (status !== null && ctx.successStatuses.has(status.toLowerCase())) {
    ctx.log({ level: "info", event: "dataverse.finalize.ok", purchaseId, action, status, requestId });
    return { outcome: "finalized", status, actionName: action };
  }
  const body = redactBody(response.data);
  ctx.log({ level: "warn", event: "dataverse.finalize.status", purchaseId, action, status, body, requestId });
  // Dataverse answered, but not with a status the kit knows: the registration may exist.
  throw new DataverseError({
    status: response.status,
    code: FINALIZE_STATUS_UNEXPECTED,
    message: `${action} answered status ${JSON.stringify(status)} (expected one of ${[...ctx.successStatuses].join(", ")})`,
    hint: "if this status means success, add it to DATAVERSE_FINALIZE_SUCCESS_STATUSES",
    retryable: true,
    ambiguous: true,
    requestId,
    operation: `POST ${action}`,
    detail: { status, body },
  });
}

/** A refusal that a resend will not change becomes `rejected`; anything else is rethrown. */
function readRefusal(ctx: OperationContext, purchaseId: string, error: unknown): FinalizeOutcome {
  if (!(error instanceof DataverseError) || error.retryable) throw error;
  const refusal = isPurchaseMissing(error, ctx.notFoundRules) ? purchaseNotFound(purchaseId, error) : error;
  return { outcome: "rejected", status: null, reason: refusal.message, code: refusal.code };
}

export async function finalizeRegistration(
  ctx: OperationContext,
  input: FinalizeInput,
  call: CallOptions = {},
): Promise<FinalizeOutcome> {
  const purchaseId = normalizePurchaseId(input.purchaseId);
  const body = {
    PurchaseId: purchaseId,
    ReadableEventId: String(input.readableEventId),
    UserId: String(input.userId ?? ""),
  };
  for (;;) {
    const names = ctx.actions.finalize;
    const action =
      names[ctx.learnt.finalizeIndex] ?? names[0] ?? "msevtmgt_FinalizeExternalRegistrationRequest";
    let response: DataverseResponse;
    try {
      response = await ctx.client.post(action, body, { ...call, retryAmbiguous: false });
    } catch (error) {
      if (isSegmentNotFound(error) && ctx.learnt.finalizeIndex + 1 < names.length) {
        // Pre-1.13 solutions name it adx_…: nothing ran, so trying that name sends nothing twice.
        ctx.learnt.finalizeIndex++;
        ctx.log({
          level: "warn",
          event: "dataverse.action.fallback",
          from: action,
          to: names[ctx.learnt.finalizeIndex],
        });
        continue;
      }
      return readRefusal(ctx, purchaseId, error);
    }
    return readAnswer(ctx, purchaseId, action, response);
  }
}
