// Writes one payments-table row by its alternate key: PATCH <set>(<key column>='<payment id>')
// creates the row when it does not exist and updates it otherwise (Dataverse's upsert). The entity
// set and each currency's transactioncurrency row are read once and kept. The money columns are
// written only when the org has the payment's currency: Dataverse would otherwise put the amount in
// its base currency, which would be wrong; the minor-unit and ISO-code columns are always written.

import type { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/errors";
import { currencyExponent } from "../dataverse/minor-units";
import type { CallOptions } from "../dataverse/types";
import { PAYMENT_STATUS, PURCHASE_SET, type PaymentsTableNames } from "./definition";
import type { PaymentRow } from "./payment-rows";

export interface PaymentsTableWriter {
  readonly names: PaymentsTableNames;
  /** Create or update the row; "created" or "updated" as Dataverse answered (204 either way: "upserted"). */
  upsert(row: PaymentRow, options?: CallOptions): Promise<"upserted">;
}

/** The table is missing or its alternate key is not active yet: the upsert cannot work until it is. */
export class PaymentsTableNotReadyError extends Error {
  override readonly name = "PaymentsTableNotReadyError";
}

const RECORD_NOT_FOUND = "0x80040217";

function major(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

export function createPaymentsTableWriter(
  client: DataverseClient,
  names: PaymentsTableNames,
): PaymentsTableWriter {
  let entitySet: string | null = null;
  const currencies = new Map<string, string | null>();

  async function resolveSet(options: CallOptions): Promise<string> {
    if (entitySet) return entitySet;
    try {
      const res = await client.get<{ EntitySetName?: string }>(
        `EntityDefinitions(LogicalName='${names.table}')?$select=EntitySetName`,
        options,
      );
      entitySet = String(res.data?.EntitySetName ?? "") || null;
    } catch (error) {
      if (error instanceof DataverseError && (error.status === 404 || /0x80060888/i.test(error.code)))
        throw new PaymentsTableNotReadyError(
          `the payments table ${names.table} does not exist in Dataverse; create it with npm run payments-table -- create`,
        );
      throw error;
    }
    if (!entitySet)
      throw new PaymentsTableNotReadyError(`the payments table ${names.table} has no entity set`);
    return entitySet;
  }

  async function currencyId(code: string, options: CallOptions): Promise<string | null> {
    if (currencies.has(code)) return currencies.get(code) ?? null;
    const res = await client.get<{ value?: Array<{ transactioncurrencyid?: string }> }>(
      `transactioncurrencies?$select=transactioncurrencyid&$filter=isocurrencycode eq '${code}'`,
      options,
    );
    const id = res.data?.value?.[0]?.transactioncurrencyid ?? null;
    currencies.set(code, id);
    return id;
  }

  function body(row: PaymentRow, currency: string | null, withPurchase: boolean): Record<string, unknown> {
    const c = names.columns;
    const out: Record<string, unknown> = {
      [c.name]: `${row.provider} ${row.providerPaymentId}`,
      [c.provider]: row.provider,
      [c.purchaseRef]: row.purchaseId,
      [c.readableEventId]: row.readableEventId,
      [c.contactId]: row.contactId,
      [c.amountMinor]: row.amountMinor,
      [c.currency]: row.currency,
      [c.status]: PAYMENT_STATUS[row.status],
      [c.refundedMinor]: row.refundedMinor,
      [c.checkoutStartedOn]: new Date(row.checkoutStartedAt).toISOString(),
      [c.statusChangedOn]: new Date(row.statusChangedAt).toISOString(),
      [c.deploymentId]: row.deploymentId,
    };
    if (currency) {
      out[c.amount] = major(row.amountMinor, row.currency);
      out[c.refundedAmount] = major(row.refundedMinor, row.currency);
      out["transactioncurrencyid@odata.bind"] = `/transactioncurrencies(${currency})`;
    }
    if (withPurchase) out[`${names.purchaseNavigation}@odata.bind`] = `/${PURCHASE_SET}(${row.purchaseId})`;
    return out;
  }

  return {
    names,
    async upsert(row, options = {}) {
      const set = await resolveSet(options);
      const currency = await currencyId(row.currency, options);
      const key = encodeURIComponent(row.providerPaymentId.replace(/'/g, "''"));
      const path = `${set}(${names.columns.providerPaymentId}='${key}')`;
      try {
        await client.patch(path, body(row, currency, true), options);
      } catch (error) {
        // The purchase row is gone from Dataverse (deleted or never there): keep the payment, unlinked.
        if (!(error instanceof DataverseError) || error.code !== RECORD_NOT_FOUND)
          throw notReady(error, names);
        await client.patch(path, body(row, currency, false), options);
      }
      return "upserted";
    },
  };
}

/** An answer that says the key's index is not built yet becomes PaymentsTableNotReadyError. */
function notReady(error: unknown, names: PaymentsTableNames): unknown {
  if (
    error instanceof DataverseError &&
    error.status === 400 &&
    /key/i.test(error.message) &&
    /(active|index|pending)/i.test(error.message)
  )
    return new PaymentsTableNotReadyError(
      `the alternate key on ${names.columns.providerPaymentId} is not active yet (Dataverse builds its index in the background)`,
    );
  return error;
}
