// msevtmgt_ListDetailedPurchaseInfo, or msevtmgt_GetPurchaseDetailsAction where the first does not
// exist (older solutions), parsed defensively. A missing purchase is the typed PURCHASE_NOT_FOUND.

import { isPurchaseMissing, isSegmentNotFound, purchaseNotFound } from "../classify-not-found";
import { DataverseError, PURCHASE_NOT_FOUND } from "../errors";
import { normalizePurchaseId } from "../normalize-purchase-id";
import { isEmptyDetails, parsePurchaseDetails } from "../parse-purchase-details";
import { redactBody } from "../redact";
import type { CallOptions, PurchaseDetails } from "../types";
import type { OperationContext } from "./operation-context";

async function callDetailsAction(
  ctx: OperationContext,
  action: string,
  purchaseId: string,
  call: CallOptions,
): Promise<PurchaseDetails> {
  // Reading details changes nothing: safe to resend after an unclear answer.
  const response = await ctx.client.post(
    action,
    { PurchaseId: purchaseId },
    { ...call, retryAmbiguous: true },
  );
  if (isEmptyDetails(response.data)) {
    throw new DataverseError({
      status: 404,
      code: PURCHASE_NOT_FOUND,
      message: `${action} returned nothing for purchase ${purchaseId}: it does not exist or has expired`,
      retryable: false,
      requestId: response.requestId,
      operation: `POST ${action}`,
    });
  }
  try {
    return parsePurchaseDetails(purchaseId, action, response.data, ctx.aliases);
  } catch (error) {
    if (error instanceof DataverseError) {
      const rawBody = redactBody(response.data);
      ctx.log({ level: "error", event: "dataverse.purchase.unparseable", purchaseId, action, rawBody });
    }
    throw error;
  }
}

async function callWithFallback(ctx: OperationContext, purchaseId: string, call: CallOptions) {
  const { actions, learnt } = ctx;
  if (!learnt.detailsViaFallback) {
    try {
      return await callDetailsAction(ctx, actions.listDetailedPurchaseInfo, purchaseId, call);
    } catch (error) {
      if (!isSegmentNotFound(error)) throw error;
      learnt.detailsViaFallback = true;
      const [from, to] = [actions.listDetailedPurchaseInfo, actions.getPurchaseDetails];
      ctx.log({ level: "warn", event: "dataverse.action.fallback", from, to });
    }
  }
  return callDetailsAction(ctx, actions.getPurchaseDetails, purchaseId, call);
}

export async function getPurchaseDetails(
  ctx: OperationContext,
  rawId: string,
  call: CallOptions = {},
): Promise<PurchaseDetails> {
  const purchaseId = normalizePurchaseId(rawId);
  try {
    return await callWithFallback(ctx, purchaseId, call);
  } catch (error) {
    if (isSegmentNotFound(error)) {
      const { listDetailedPurchaseInfo, getPurchaseDetails: fallback } = ctx.actions;
      throw new DataverseError({
        status: 404,
        code: "ACTION_NOT_FOUND",
        message: `Neither ${listDetailedPurchaseInfo} nor ${fallback} exists in this environment: is the event management solution installed and the action name right?`,
        hint: "install the event management solution or set DATAVERSE_PURCHASE_DETAILS_ACTIONS",
        retryable: false,
        requestId: error.requestId,
        cause: error,
      });
    }
    if (isPurchaseMissing(error, ctx.notFoundRules)) throw purchaseNotFound(purchaseId, error);
    throw error;
  }
}
