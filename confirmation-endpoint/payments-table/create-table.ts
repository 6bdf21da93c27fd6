// Creates the payments table through the Dataverse metadata Web API, idempotently: each part (the
// table, every column, the lookup to the purchase, the alternate key) is read first and created only
// when missing, so a second run after a partial one finishes the job and a run on a complete table
// changes nothing. `dryRun` reads and reports what it would create, writing nothing.

import type { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/errors";
import { columnBodies, keyBody, relationshipBody, tableBody, type PaymentsTableNames } from "./definition";

export type StepAction = "exists" | "created" | "would create";

export interface TableStep {
  part: "table" | "column" | "lookup" | "key";
  name: string;
  action: StepAction;
}

export interface EnsureTableResult {
  table: string;
  /** The entity set rows live in; null on a dry run before the table exists. */
  entitySet: string | null;
  steps: TableStep[];
  /** The alternate key's index status (Dataverse builds it in the background: Pending → Active). */
  keyStatus: string | null;
  dryRun: boolean;
}

export interface EnsureTableOptions {
  names: PaymentsTableNames;
  dryRun?: boolean;
  /** Unique name of an unmanaged solution the new parts join (MSCRM.SolutionUniqueName). */
  solution?: string | null;
  /** Each step as it happens (the command prints progress). */
  onStep?: (step: TableStep) => void;
}

const METADATA_TIMEOUT_DEADLINE_MS = 10 * 60_000;

/** Dataverse answers a read of an unknown table with 0x80060888 (404, or 400 on some versions). */
function isMissingTable(error: unknown): boolean {
  return (
    error instanceof DataverseError &&
    (error.status === 404 || (error.status === 400 && /0x80060888/i.test(error.code ?? "")))
  );
}

interface TableInfo {
  entitySet: string;
}

async function readTable(
  client: DataverseClient,
  table: string,
  deadline: number,
): Promise<TableInfo | null> {
  try {
    const res = await client.get<{ EntitySetName?: string }>(
      `EntityDefinitions(LogicalName='${table}')?$select=LogicalName,EntitySetName`,
      { deadline },
    );
    return { entitySet: String(res.data?.EntitySetName ?? "") };
  } catch (error) {
    if (isMissingTable(error)) return null;
    throw error;
  }
}

async function readNames(client: DataverseClient, path: string, field: string, deadline: number) {
  const res = await client.get<{ value?: Array<Record<string, unknown>> }>(path, { deadline });
  return (res.data?.value ?? []).map((row) => row[field]);
}

export async function ensurePaymentsTable(
  client: DataverseClient,
  options: EnsureTableOptions,
): Promise<EnsureTableResult> {
  const { names } = options;
  const dryRun = options.dryRun === true;
  const deadline = Date.now() + METADATA_TIMEOUT_DEADLINE_MS;
  const headers: Record<string, string> = options.solution
    ? { "MSCRM.SolutionUniqueName": options.solution }
    : {};
  const steps: TableStep[] = [];
  const record = (step: TableStep) => {
    steps.push(step);
    options.onStep?.(step);
  };
  const create = async (path: string, body: unknown) => {
    await client.post(path, body, { deadline, headers });
  };
  const entityPath = `EntityDefinitions(LogicalName='${names.table}')`;

  let info = await readTable(client, names.table, deadline);
  if (info) record({ part: "table", name: names.table, action: "exists" });
  else if (dryRun) record({ part: "table", name: names.table, action: "would create" });
  else {
    await create("EntityDefinitions", tableBody(names));
    info = await readTable(client, names.table, deadline);
    record({ part: "table", name: names.table, action: "created" });
  }
  const attributes = new Set(
    info
      ? (
          await readNames(client, `${entityPath}/Attributes?$select=LogicalName`, "LogicalName", deadline)
        ).map(String)
      : [],
  );
  for (const { logicalName, body } of columnBodies(names)) {
    const action: StepAction = attributes.has(logicalName) ? "exists" : dryRun ? "would create" : "created";
    if (action === "created") await create(`${entityPath}/Attributes`, body);
    record({ part: "column", name: logicalName, action });
  }
  const lookupAction: StepAction = attributes.has(names.purchaseLookup)
    ? "exists"
    : dryRun
      ? "would create"
      : "created";
  if (lookupAction === "created") await create("RelationshipDefinitions", relationshipBody(names));
  record({ part: "lookup", name: names.purchaseLookup, action: lookupAction });
  const keyStatus = await ensureKey(client, names, {
    dryRun,
    tableKnown: info !== null,
    deadline,
    create,
    record,
  });
  return { table: names.table, entitySet: info?.entitySet ?? null, steps, keyStatus, dryRun };
}

async function ensureKey(
  client: DataverseClient,
  names: PaymentsTableNames,
  ctx: {
    dryRun: boolean;
    tableKnown: boolean;
    deadline: number;
    create: (path: string, body: unknown) => Promise<void>;
    record: (step: TableStep) => void;
  },
): Promise<string | null> {
  const entityPath = `EntityDefinitions(LogicalName='${names.table}')`;
  const readKey = async () => {
    const res = await client.get<{ value?: Array<Record<string, unknown>> }>(
      `${entityPath}/Keys?$select=SchemaName,KeyAttributes,EntityKeyIndexStatus`,
      { deadline: ctx.deadline },
    );
    return (res.data?.value ?? []).find((k) => {
      const attrs = Array.isArray(k.KeyAttributes) ? k.KeyAttributes.map(String) : [];
      return attrs.length === 1 && attrs[0] === names.columns.providerPaymentId;
    });
  };
  let key = ctx.tableKnown ? await readKey() : undefined;
  if (key) ctx.record({ part: "key", name: String(key.SchemaName ?? names.keySchemaName), action: "exists" });
  else if (ctx.dryRun) ctx.record({ part: "key", name: names.keySchemaName, action: "would create" });
  else {
    await ctx.create(`${entityPath}/Keys`, keyBody(names));
    key = await readKey();
    ctx.record({ part: "key", name: names.keySchemaName, action: "created" });
  }
  return key ? String(key.EntityKeyIndexStatus ?? "Pending") : null;
}
