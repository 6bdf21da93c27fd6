// Finds, from Dataverse's own metadata, the columns the organizer commands need but Microsoft does
// not publish: the event's "Portal payment gateway" lookup, the Event administration's default
// gateway lookup and demo-payment switch, and the event's session-registration flag. Nothing here is
// hard-coded beyond the tables' published names; an admin can name a column when discovery is unsure.
import { KitError } from "../../common/kit-error";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";

/** Tables a portal web page lives in: standard data model, enhanced (virtual), enhanced (storage). */
export const WEB_PAGE_TABLES = {
  adx_webpage: { set: "adx_webpages", id: "adx_webpageid", partialUrl: "adx_partialurl", name: "adx_name" },
  mspp_webpage: {
    set: "mspp_webpages",
    id: "mspp_webpageid",
    partialUrl: "mspp_partialurl",
    name: "mspp_name",
  },
  powerpagecomponent: {
    set: "powerpagecomponents",
    id: "powerpagecomponentid",
    partialUrl: null,
    name: "name",
  },
} as const;

export type WebPageTable = keyof typeof WEB_PAGE_TABLES;

export interface LookupColumn {
  logicalName: string;
  /** Name to use in `<name>@odata.bind`. */
  navigationProperty: string;
  target: WebPageTable;
}

export class SchemaDiscoveryError extends KitError {
  readonly code = "SCHEMA_DISCOVERY";
  constructor(
    message: string,
    override readonly hint: string,
  ) {
    super(message);
    this.name = "SchemaDiscoveryError";
  }
}

interface AttributeRow {
  LogicalName: string;
  SchemaName?: string | null;
  AttributeType?: string | null;
  Targets?: string[] | null;
}

async function readLookups(client: DataverseClient, table: string): Promise<AttributeRow[]> {
  const path = `EntityDefinitions(LogicalName='${table}')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,SchemaName,Targets`;
  return (await client.get<{ value: AttributeRow[] }>(path)).data.value ?? [];
}

async function readAttributes(client: DataverseClient, table: string): Promise<AttributeRow[]> {
  return (
    (
      await client.get<{ value: AttributeRow[] }>(
        `EntityDefinitions(LogicalName='${table}')/Attributes?$select=LogicalName,AttributeType`,
      )
    ).data.value ?? []
  );
}

/** The lookup on `table` that points at a portal web page; `preferred` names it outright. */
export async function findWebPageLookup(
  client: DataverseClient,
  table: string,
  what: string,
  preferred?: string,
): Promise<LookupColumn> {
  const lookups = await readLookups(client, table);
  const toWebPage = lookups
    .map((row) => ({ row, target: (row.Targets ?? []).find((t): t is WebPageTable => t in WEB_PAGE_TABLES) }))
    .filter((c): c is { row: AttributeRow; target: WebPageTable } => c.target !== undefined);
  let chosen = preferred ? toWebPage.filter((c) => c.row.LogicalName === preferred.toLowerCase()) : toWebPage;
  if (preferred && chosen.length === 0) {
    throw new SchemaDiscoveryError(
      `${table} has no lookup named ${preferred} that points at a web page.`,
      `Lookups to web pages on ${table}: ${toWebPage.map((c) => c.row.LogicalName).join(", ") || "none"}.`,
    );
  }
  if (chosen.length > 1) chosen = chosen.filter((c) => /gateway|payment/i.test(c.row.LogicalName));
  const only = chosen[0];
  if (!only || chosen.length > 1) {
    throw new SchemaDiscoveryError(
      chosen.length > 1
        ? `Several lookups on ${table} could be the ${what}: ${chosen.map((c) => c.row.LogicalName).join(", ")}.`
        : `No lookup on ${table} points at a portal web page, so the ${what} cannot be found.`,
      chosen.length > 1
        ? "Name the right one with --lookup <logical name>."
        : "Check that the Event management solution is installed in this environment and that the app user can read metadata.",
    );
  }
  return {
    logicalName: only.row.LogicalName,
    navigationProperty: only.row.SchemaName || only.row.LogicalName,
    target: only.target,
  };
}

/** A Boolean column of `table` whose name matches every pattern; null when there is none or several. */
export async function findFlag(
  client: DataverseClient,
  table: string,
  patterns: RegExp[],
  preferred?: string,
): Promise<string | null> {
  const rows = (await readAttributes(client, table)).filter((r) => r.AttributeType === "Boolean");
  if (preferred) return rows.some((r) => r.LogicalName === preferred) ? preferred : null;
  const hits = rows.filter((r) => patterns.every((p) => p.test(r.LogicalName)));
  return hits.length === 1 && hits[0] ? hits[0].LogicalName : null;
}

export const lookupValue = (logicalName: string) => `_${logicalName}_value`;
