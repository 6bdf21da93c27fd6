// What a real-time-journeys payment needs besides the price: the event (its readable id and name,
// for the hosted page and the provider's metadata) and the payment timeout of the payment provider
// record the event uses. Microsoft does not publish the provider table's column names nor the
// event's lookup to it, so both are found in Dataverse's own metadata (EntityDefinitions), unless
// an admin names them; a discovery that stays unsure yields no timeout rather than a guess.

import { isGuid } from "../../common/guid";
import type { Clock } from "../clock";
import type { DataverseClient } from "../dataverse";
import type { Logger } from "../logger";

export interface RtmSchemaNames {
  /** Lookup on msevtmgt_event to msevtmgt_paymentprovider (the Passes tab's provider). */
  eventProviderLookup?: string;
  /** Whole-number column on msevtmgt_paymentprovider holding "Payment timeout (minutes)". */
  providerTimeoutColumn?: string;
}

export interface RtmEventInfo {
  readableEventId: string | null;
  eventName: string | null;
  /** The provider record's payment timeout; null when it could not be read. */
  timeoutMinutes: number | null;
  providerId: string | null;
  /**
   * The event's own configuration: true when it points at a real-time journeys payment provider,
   * false when it does not (it takes payments on its portal's page), null when unknown (unread).
   */
  usesPaymentProvider: boolean | null;
}

export interface RtmEventReader {
  read(purchaseId: string, options?: { deadline?: number }): Promise<RtmEventInfo>;
}

interface AttributeRow {
  LogicalName: string;
  AttributeType?: string | null;
  Targets?: string[] | null;
}

const PROVIDER_TABLE = "msevtmgt_paymentprovider";
const PROVIDER_CACHE_MS = 5 * 60_000;
const INTEGER_TYPES = new Set(["Integer", "BigInt", "Decimal"]);

/** A logical name safe to put in a URL; anything else is refused rather than escaped. */
function safeName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,99}$/i.test(name)) throw new Error(`"${name}" is not a Dataverse logical name`);
  return name.toLowerCase();
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/**
 * The payment provider table's "Payment timeout (minutes)" column, found in metadata: the one
 * whole-number column named like a timeout. Null, with what was seen, when it is not exactly one.
 */
export async function discoverTimeoutColumn(
  client: Pick<DataverseClient, "get">,
): Promise<{ column: string | null; candidates: string[] }> {
  const rows =
    (
      await client.get<{ value?: AttributeRow[] }>(
        `EntityDefinitions(LogicalName='${PROVIDER_TABLE}')/Attributes?$select=LogicalName,AttributeType`,
      )
    ).data.value ?? [];
  const hits = rows.filter(
    (r) => INTEGER_TYPES.has(String(r.AttributeType)) && /timeout/i.test(r.LogicalName),
  );
  const candidates = hits.map((h) => h.LogicalName);
  return hits.length === 1 && hits[0]
    ? { column: safeName(hits[0].LogicalName), candidates }
    : { column: null, candidates };
}

export function createRtmEventReader(deps: {
  client: Pick<DataverseClient, "get">;
  clock: Clock;
  logger: Logger;
  names?: RtmSchemaNames;
}): RtmEventReader {
  const { client, clock, logger } = deps;
  let columns: Promise<{ lookup: string | null; timeout: string | null }> | null = null;
  const providerMinutes = new Map<string, { minutes: number | null; at: number }>();

  async function discover(): Promise<{ lookup: string | null; timeout: string | null }> {
    const names = deps.names ?? {};
    let lookup = names.eventProviderLookup ? safeName(names.eventProviderLookup) : null;
    let timeout = names.providerTimeoutColumn ? safeName(names.providerTimeoutColumn) : null;
    if (lookup === null) {
      const rows =
        (
          await client.get<{ value?: AttributeRow[] }>(
            "EntityDefinitions(LogicalName='msevtmgt_event')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets",
          )
        ).data.value ?? [];
      const hits = rows.filter((r) => (r.Targets ?? []).includes(PROVIDER_TABLE));
      if (hits.length === 1 && hits[0]) lookup = safeName(hits[0].LogicalName);
      else
        logger.log(
          "warn",
          "rtm: the event's payment provider lookup was not found unambiguously; set RTM_EVENT_PROVIDER_LOOKUP",
          { candidates: hits.map((h) => h.LogicalName) },
        );
    }
    if (timeout === null) {
      const found = await discoverTimeoutColumn(client);
      timeout = found.column;
      if (timeout === null)
        logger.log(
          "warn",
          "rtm: the payment provider's timeout column was not found unambiguously; set RTM_PROVIDER_TIMEOUT_COLUMN",
          { candidates: found.candidates },
        );
    }
    return { lookup, timeout };
  }

  function columnsOnce() {
    columns ??= discover().catch((error: unknown) => {
      columns = null; // ask again next time: metadata may have been unreadable for a moment
      throw error;
    });
    return columns;
  }

  async function readProviderMinutes(
    providerId: string,
    column: string,
    deadline: number | undefined,
  ): Promise<number | null> {
    const cached = providerMinutes.get(providerId);
    if (cached && clock.now() - cached.at < PROVIDER_CACHE_MS) return cached.minutes;
    const row = (
      await client.get<Record<string, unknown>>(
        `msevtmgt_paymentproviders(${providerId})?$select=${column}`,
        { deadline },
      )
    ).data;
    const raw = row?.[column];
    const minutes = typeof raw === "number" && Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : null;
    providerMinutes.set(providerId, { minutes, at: clock.now() });
    return minutes;
  }

  return {
    async read(purchaseId, options = {}) {
      const info: RtmEventInfo = {
        readableEventId: null,
        eventName: null,
        timeoutMinutes: null,
        providerId: null,
        usesPaymentProvider: null,
      };
      const deadline = options.deadline;
      try {
        const purchase = (
          await client.get<Record<string, unknown>>(
            `msevtmgt_eventpurchases(${purchaseId})?$select=_msevtmgt_eventid_value`,
            { deadline },
          )
        ).data;
        const eventId = text(purchase?._msevtmgt_eventid_value);
        if (eventId === null || !isGuid(eventId)) return info;
        const { lookup, timeout } = await columnsOnce();
        const select = [
          "msevtmgt_readableeventid",
          "msevtmgt_name",
          ...(lookup ? [`_${lookup}_value`] : []),
        ].join(",");
        const event = (
          await client.get<Record<string, unknown>>(`msevtmgt_events(${eventId})?$select=${select}`, {
            deadline,
          })
        ).data;
        info.readableEventId = text(event?.msevtmgt_readableeventid);
        info.eventName = text(event?.msevtmgt_name);
        const providerId = lookup ? text(event?.[`_${lookup}_value`]) : null;
        if (lookup && event) info.usesPaymentProvider = providerId !== null && isGuid(providerId);
        if (providerId === null || !isGuid(providerId)) return info;
        info.providerId = providerId;
        if (timeout) info.timeoutMinutes = await readProviderMinutes(providerId, timeout, deadline);
      } catch (error) {
        logger.log("warn", "rtm: event or payment provider could not be read", { purchaseId, error });
      }
      return info;
    },
  };
}

/**
 * The window for one RTM purchase: the provider record's timeout, the configured one, or the
 * shorter of the two when both are known (finalizing after Dynamics released the seats would only
 * end in a refund). Null when neither is known.
 */
export function chooseTimeoutMinutes(
  fromRecord: number | null,
  configured: number | null,
  logger: Logger,
  purchaseId: string,
): number | null {
  if (fromRecord !== null && configured !== null) {
    if (fromRecord !== configured) {
      logger.log(
        "warn",
        "rtm: RTM_PAYMENT_TIMEOUT_MINUTES differs from the payment provider record; using the shorter",
        { purchaseId, fromRecord, configured },
      );
    }
    return Math.min(fromRecord, configured);
  }
  return fromRecord ?? configured;
}
