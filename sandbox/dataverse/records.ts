// Small helpers to create and update rows with the bookkeeping columns Dataverse maintains
// (createdon, modifiedon, statecode, statuscode, versionnumber).
import { randomUUID } from "node:crypto";
import { isoTime, type StandInContext } from "./context";
import type { DataverseRecord } from "./record-store";

function entityOf(ctx: StandInContext, setName: string) {
  const entity = ctx.schema.get(setName);
  if (!entity) throw new Error(`The stand-in has no table '${setName}'.`);
  return entity;
}

/** Inserts a row (id generated unless the primary id column is given) and returns it. */
export function createRecord(
  ctx: StandInContext,
  setName: string,
  columns: DataverseRecord,
): DataverseRecord {
  const entity = entityOf(ctx, setName);
  const id = String(columns[entity.primaryId] ?? randomUUID()).toLowerCase();
  const at = isoTime(ctx.now());
  const record: DataverseRecord = {
    statecode: 0,
    statuscode: 1,
    createdon: at,
    ...columns,
    [entity.primaryId]: id,
    modifiedon: at,
    versionnumber: ctx.store.nextVersion(),
  };
  ctx.store.put(setName, id, record);
  return record;
}

export function updateRecord(
  ctx: StandInContext,
  setName: string,
  id: string,
  changes: DataverseRecord,
): DataverseRecord {
  const current = ctx.store.get(setName, id);
  if (!current) throw new Error(`No ${setName} row ${id} to update.`);
  const record = {
    ...current,
    ...changes,
    modifiedon: isoTime(ctx.now()),
    versionnumber: ctx.store.nextVersion(),
  };
  ctx.store.put(setName, id, record);
  return record;
}
