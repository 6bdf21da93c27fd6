// One purchase status in words: what happened, what happens next, and the way on (back to the
// event, back to payment). A refund says why, matched on the contract's reason code.
import type { PurchaseStatus, ReasonCode, StatusAnswer } from "../confirmation-endpoint/contract/v1";
import type { Child } from "./dom";
import type { MessageKey } from "./messages/index";
import type { PageContext } from "./page-context";

const STATUS_TEXT: Record<PurchaseStatus, [MessageKey, MessageKey]> = {
  awaiting_payment: ["awaitingHeading", "awaitingBody"],
  paid: ["paidHeading", "paidBody"],
  finalizing: ["finalizingHeading", "finalizingBody"],
  finalized: ["finalizedHeading", "finalizedBody"],
  refund_pending: ["refundPendingHeading", "refundPendingBody"],
  refunded: ["refundedHeading", "refundedBody"],
  expired: ["expiredHeading", "expiredBody"],
  failed: ["failedHeading", "failedBody"],
};

const REASON_TEXT: Record<ReasonCode, MessageKey> = {
  deadline_passed: "refundReasonDeadline",
  amount_mismatch: "refundReasonMismatch",
  finalize_rejected: "refundReasonRejected",
  duplicate_payment: "refundReasonDuplicate",
  unknown_purchase: "refundReasonOther",
};

export function renderStatus(ctx: PageContext, answer: StatusAnswer): void {
  const { view, readableEventId } = ctx;
  const { t } = view;
  const [headingKey, bodyKey] = STATUS_TEXT[answer.status];
  let body: Child[] = [view.paragraph(t(bodyKey))];
  let announce = `${t(headingKey)}. ${t(bodyKey)}`;
  if (answer.status === "refunded") {
    const why = t(answer.reason ? REASON_TEXT[answer.reason] : "refundReasonOther");
    body = [
      view.paragraph(why),
      ...body,
      view.paragraph(t("refundedTiming")),
      view.backLink(readableEventId),
    ];
    announce = `${t(headingKey)}. ${why} ${t(bodyKey)}`;
  }
  // Every state the attendee cannot act on any more offers the way back (the support line is on all).
  if (answer.status === "expired" || answer.status === "failed" || answer.status === "refund_pending")
    body.push(view.backLink(readableEventId));
  if (answer.status === "awaiting_payment") body.push(view.button(t("resumePayment"), () => ctx.checkout()));
  view.show(answer.status, t(headingKey), body, announce);
}
