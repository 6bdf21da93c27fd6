// RTM: msevtmgt_finalizeregistrationpayment with 100000001 (completed) or 100000000 (cancelled).
// Setting the same payment status twice is harmless, so by default the client may resend after an
// unclear answer (retryRtmAmbiguous).

import { isPurchaseMissing, purchaseNotFound } from "../classify-not-found";
import { normalizePurchaseId } from "../normalize-purchase-id";
import type { CallOptions, RtmPaymentStatus } from "../types";
import type { OperationContext } from "./operation-context";

const PAYMENT_STATUS_CODES: Record<RtmPaymentStatus, number> = { completed: 100000001, cancelled: 100000000 };

export async function finalizeRtmPayment(
  ctx: OperationContext,
  rawId: string,
  status: RtmPaymentStatus,
  call: CallOptions = {},
): Promise<void> {
  const purchaseId = normalizePurchaseId(rawId);
  const body = { msevtmgt_purchaseid: purchaseId, msevtmgt_paymentstatus: PAYMENT_STATUS_CODES[status] };
  let response;
  try {
    response = await ctx.client.post(ctx.actions.finalizeRtmPayment, body, {
      ...call,
      retryAmbiguous: ctx.retryRtmAmbiguous,
    });
  } catch (error) {
    if (isPurchaseMissing(error, ctx.notFoundRules)) throw purchaseNotFound(purchaseId, error);
    throw error;
  }
  const { requestId } = response;
  ctx.log({
    level: "info",
    event: "dataverse.rtm.finalized",
    purchaseId,
    status,
    httpStatus: response.status,
    requestId,
  });
}
