// GET msevtmgt_eventpurchases(<id>): the paid/processed flags the worker probes, the contact and
// creation time, and for RTM the price and its currency. A missing purchase reads as null.

import { isPurchaseMissing } from "../classify-not-found";
import { DataverseError } from "../errors";
import { normalizeCurrency, toMinorUnits } from "../minor-units";
import { normalizePurchaseId } from "../normalize-purchase-id";
import type { CallOptions, PurchaseRow } from "../types";
import type { OperationContext } from "./operation-context";

const FLAG_COLUMNS = "msevtmgt_paid,msevtmgt_processed,createdon,_msevtmgt_purchasingcontactid_value";

function readBool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === "true" || value === "1") return true;
  if (value === 0 || value === "false" || value === "0") return false;
  return null;
}

function readPrice(ctx: OperationContext, row: Record<string, unknown>) {
  const currencyNav = ctx.row.currencyExpand.split("(")[0] ?? ctx.row.currencyExpand;
  const nav = row[currencyNav];
  const currency = normalizeCurrency(
    nav && typeof nav === "object" ? (nav as Record<string, unknown>)["isocurrencycode"] : undefined,
  );
  const total = row[ctx.row.priceColumn];
  const totalMinor =
    currency !== null && total !== undefined && total !== null ? toMinorUnits(total, currency) : null;
  return { currency, totalMinor };
}

async function readRow(
  ctx: OperationContext,
  purchaseId: string,
  withPrice: boolean,
  call: CallOptions,
): Promise<PurchaseRow | null> {
  const select = withPrice ? `${FLAG_COLUMNS},${ctx.row.priceColumn}` : FLAG_COLUMNS;
  const expand = withPrice ? `&$expand=${ctx.row.currencyExpand}` : "";
  try {
    const path = `${ctx.row.entitySet}(${purchaseId})?$select=${select}${expand}`;
    const response = await ctx.client.get<Record<string, unknown>>(path, call);
    const row = (response.data ?? {}) as Record<string, unknown>;
    const contact = row["_msevtmgt_purchasingcontactid_value"];
    const created = row["createdon"];
    return {
      purchaseId,
      paid: readBool(row["msevtmgt_paid"]),
      processed: readBool(row["msevtmgt_processed"]),
      createdOn: typeof created === "string" ? created : null,
      purchasingContactId: typeof contact === "string" ? contact.toLowerCase() : null,
      ...(withPrice ? readPrice(ctx, row) : { totalMinor: null, currency: null }),
    };
  } catch (error) {
    if (isPurchaseMissing(error, ctx.notFoundRules)) return null;
    if (
      withPrice &&
      ctx.learnt.priceMode === "auto" &&
      error instanceof DataverseError &&
      error.status === 400
    ) {
      // An org without the RTM columns refuses the query: read the flags alone from now on.
      ctx.learnt.priceMode = "never";
      ctx.log({ level: "warn", event: "dataverse.purchase.price-columns-refused", code: error.code });
      return readRow(ctx, purchaseId, false, call);
    }
    throw error;
  }
}

/** The purchase row, or null when Dataverse says there is no such purchase (yet). */
export function readPurchaseRow(
  ctx: OperationContext,
  rawId: string,
  call: CallOptions = {},
): Promise<PurchaseRow | null> {
  return readRow(ctx, normalizePurchaseId(rawId), ctx.learnt.priceMode !== "never", call);
}
