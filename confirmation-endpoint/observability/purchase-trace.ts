// One trace per purchase: its checkout, webhooks and jobs happen minutes apart, in different
// requests and possibly on different instances, so no span can be their common parent in-process.
// Each of them starts under the same remote parent instead, made from the purchase id: the trace
// id is the purchase GUID's 32 hex digits (Application Insights shows it as operation_Id, so the
// purchase id finds its trace without a lookup table), and the parent span id is derived from it.
// That parent is never exported; trace viewers show the units side by side under it.

import { createHash } from "node:crypto";

const GUID_HEX = /^[0-9a-f]{32}$/;

export interface PurchaseTraceIds {
  traceId: string;
  parentSpanId: string;
}

/** The trace id and the shared parent span id of `purchaseId`. */
export function purchaseTraceIds(purchaseId: string): PurchaseTraceIds {
  const hex = purchaseId.toLowerCase().replace(/[{}-]/g, "");
  const digest = createHash("sha256").update(`purchase:${purchaseId.toLowerCase()}`).digest("hex");
  // Not a GUID (an id from elsewhere): a digest serves as the trace id. All-zero ids are invalid.
  const traceId = GUID_HEX.test(hex) && !/^0+$/.test(hex) ? hex : digest.slice(0, 32);
  const parentSpanId = /^0+$/.test(digest.slice(32, 48)) ? "0000000000000001" : digest.slice(32, 48);
  return { traceId, parentSpanId };
}
