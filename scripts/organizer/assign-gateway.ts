// Points events (one, several, all paid ones) and/or the Event administration's default at the
// kit's gateway web page, with the warnings an organizer needs: events with no pass never show the
// gateway, session-level registration disables payment, and demo payment confirmation must be off.
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { UsageError } from "../lib/cli";
import {
  findFlag,
  findWebPageLookup,
  lookupValue,
  WEB_PAGE_TABLES,
  type LookupColumn,
  type WebPageTable,
} from "./gateway-schema";

export interface AssignInput {
  events: string[];
  allPaid: boolean;
  setDefault: boolean;
  /** The web page: its id, or found by partial URL (and the kit's deterministic id when known). */
  webPageId?: string | undefined;
  candidatePageIds?: string[];
  partialUrl: string;
  pageName: string;
  /** Names a lookup when discovery is ambiguous. */
  lookup?: string | undefined;
}

export interface AssignedEvent {
  eventId: string;
  readableEventId: string;
  name: string;
  passes: number;
}

export interface AssignReport {
  page: { id: string; table: WebPageTable };
  lookup: string;
  assigned: AssignedEvent[];
  defaultSet: boolean;
  warnings: string[];
}

interface EventRow {
  msevtmgt_eventid: string;
  msevtmgt_name?: string | null;
  msevtmgt_readableeventid?: string | null;
  [column: string]: unknown;
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function findWebPage(
  client: DataverseClient,
  table: WebPageTable,
  input: AssignInput,
): Promise<string> {
  const t = WEB_PAGE_TABLES[table];
  for (const id of [input.webPageId, ...(input.candidatePageIds ?? [])].filter((x): x is string =>
    Boolean(x),
  )) {
    const found = await client.get<Record<string, unknown>>(`${t.set}(${id})?$select=${t.id}`).then(
      () => true,
      (error: { status?: number }) => {
        if (error.status === 404) return false;
        throw error;
      },
    );
    if (found) return id;
    if (id === input.webPageId)
      throw new UsageError(`No ${table} record has the id ${id}: check --web-page-id.`);
  }
  const filter = t.partialUrl
    ? `${t.partialUrl} eq ${quote(input.partialUrl)}`
    : `powerpagecomponenttype eq 2 and ${t.name} eq ${quote(input.pageName)}`;
  const rows =
    (
      await client.get<{ value: Array<Record<string, unknown>> }>(
        `${t.set}?$select=${t.id},${t.name}&$filter=${encodeURIComponent(filter)}`,
      )
    ).data.value ?? [];
  const first = rows[0];
  if (!first) {
    throw new UsageError(
      `No ${table} record with ${t.partialUrl ? `partial URL "${input.partialUrl}"` : `name "${input.pageName}"`} was found: deploy the gateway page first (npm run deploy), or pass --web-page-id.`,
    );
  }
  if (rows.length > 1)
    throw new UsageError(
      `${rows.length} web pages match "${input.partialUrl}" (several sites?): pass --web-page-id or --website-id.`,
    );
  return String(first[t.id]);
}

async function listAll<T>(client: DataverseClient, path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: { value?: T[]; "@odata.nextLink"?: string } = (
      await client.get<{ value?: T[]; "@odata.nextLink"?: string }>(next)
    ).data;
    out.push(...(page.value ?? []));
    const link = page["@odata.nextLink"];
    next = link ? link.slice(link.indexOf(client.baseUrl) === 0 ? client.baseUrl.length : 0) : undefined;
  }
  return out;
}

export async function passCounts(client: DataverseClient): Promise<Map<string, number>> {
  const passes = await listAll<Record<string, unknown>>(
    client,
    `msevtmgt_passes?$select=${lookupValue("msevtmgt_eventid")}`,
  );
  const counts = new Map<string, number>();
  for (const p of passes) {
    const id = String(p[lookupValue("msevtmgt_eventid")] ?? "");
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The active Event administration row, with the demo switch when it can be found. */
export async function readEventAdministration(
  client: DataverseClient,
  demoFlag: string | null,
): Promise<Record<string, unknown> | null> {
  const select = ["msevtmgt_eventadministrationid", ...(demoFlag ? [demoFlag] : [])].join(",");
  const rows =
    (
      await client.get<{ value: Array<Record<string, unknown>> }>(
        `msevtmgt_eventadministrations?$select=${select}&$filter=statecode eq 0`,
      )
    ).data.value ?? [];
  return rows[0] ?? null;
}

export async function findDemoFlag(client: DataverseClient): Promise<string | null> {
  return findFlag(client, "msevtmgt_eventadministration", [/demo/i]);
}

/** The named events and, with --all-paid, every active event with a pass; a typo throws before anything changes. */
async function resolveTargets(
  client: DataverseClient,
  input: AssignInput,
  select: string,
  counts: Map<string, number>,
  warnings: string[],
): Promise<EventRow[]> {
  const targets: EventRow[] = [];
  const unknown: string[] = [];
  for (const rid of input.events) {
    const filter = encodeURIComponent(`msevtmgt_readableeventid eq ${quote(rid)}`);
    const rows =
      (await client.get<{ value: EventRow[] }>(`msevtmgt_events?$select=${select}&$filter=${filter}`)).data
        .value ?? [];
    if (rows[0]) targets.push(rows[0]);
    else unknown.push(rid);
  }
  if (unknown.length > 0)
    throw new UsageError(
      `No event has the readable id ${unknown.map((r) => `"${r}"`).join(", ")}; nothing was changed. (The readable id is on the event's General tab and in its portal URL ?id=…)`,
    );
  if (!input.allPaid) return targets;
  const all = await listAll<EventRow>(client, `msevtmgt_events?$select=${select}&$filter=statecode eq 0`);
  for (const row of all)
    if (
      (counts.get(row.msevtmgt_eventid) ?? 0) > 0 &&
      !targets.some((t) => t.msevtmgt_eventid === row.msevtmgt_eventid)
    )
      targets.push(row);
  if (all.length > 0 && targets.length === 0)
    warnings.push("No active event has a pass, so --all-paid found nothing to assign.");
  return targets;
}

/** Points each event's gateway lookup at the page, with a warning for what still keeps payment off. */
async function assignToEvents(
  client: DataverseClient,
  targets: EventRow[],
  at: { lookup: LookupColumn; pageSet: string; pageId: string; sessionFlag: string | null },
  counts: Map<string, number>,
  report: { warnings: string[]; log: (line: string) => void },
): Promise<AssignedEvent[]> {
  const assigned: AssignedEvent[] = [];
  for (const row of targets) {
    const rid = row.msevtmgt_readableeventid ?? row.msevtmgt_eventid;
    const passes = counts.get(row.msevtmgt_eventid) ?? 0;
    await client.patch(`msevtmgt_events(${row.msevtmgt_eventid})`, {
      [`${at.lookup.navigationProperty}@odata.bind`]: `/${at.pageSet}(${at.pageId})`,
    });
    report.log(`Assigned the gateway to ${rid}.`);
    assigned.push({
      eventId: row.msevtmgt_eventid,
      readableEventId: rid,
      name: row.msevtmgt_name ?? "",
      passes,
    });
    if (passes === 0)
      report.warnings.push(
        `${rid} has no pass: the portal never shows the payment gateway for it. Add a pass with a price.`,
      );
    if (at.sessionFlag && row[at.sessionFlag] === true)
      report.warnings.push(`${rid} uses session-level registration, which turns payment off on the portal.`);
  }
  return assigned;
}

/** Sets the default gateway when asked; warns when demo payment confirmation is on. True when set. */
async function handleDefault(
  client: DataverseClient,
  input: AssignInput,
  pageId: string,
  report: { warnings: string[]; log: (line: string) => void },
): Promise<boolean> {
  let defaultSet = false;
  const demoFlag = await findDemoFlag(client);
  const admin = await readEventAdministration(client, demoFlag);
  if (input.setDefault) {
    if (!admin)
      throw new UsageError("There is no active Event administration record to set the default gateway on.");
    const adminLookup = await findWebPageLookup(
      client,
      "msevtmgt_eventadministration",
      "default Portal payment gateway",
    );
    await client.patch(`msevtmgt_eventadministrations(${String(admin.msevtmgt_eventadministrationid)})`, {
      [`${adminLookup.navigationProperty}@odata.bind`]: `/${WEB_PAGE_TABLES[adminLookup.target].set}(${pageId})`,
    });
    defaultSet = true;
    report.log("Set the default Portal payment gateway for new events.");
  }
  if (demoFlag && admin?.[demoFlag] === true) {
    report.warnings.push(
      "Event administration has demo payment confirmation ON: anyone could confirm a paid registration without paying. Turn it off (Event management → Event administration).",
    );
  }
  return defaultSet;
}

export async function assignGateway(
  client: DataverseClient,
  input: AssignInput,
  log: (line: string) => void,
): Promise<AssignReport> {
  if (input.events.length === 0 && !input.allPaid && !input.setDefault)
    throw new UsageError("Say what to assign: --event <readable id> (repeatable), --all-paid, or --default.");
  const lookup: LookupColumn = await findWebPageLookup(
    client,
    "msevtmgt_event",
    "event's Portal payment gateway",
    input.lookup,
  );
  log(`The event's gateway lookup is ${lookup.logicalName} (→ ${lookup.target}).`);
  const pageId = await findWebPage(client, lookup.target, input);
  const pageSet = WEB_PAGE_TABLES[lookup.target].set;
  log(`The gateway page is ${pageSet}(${pageId}).`);
  const sessionFlag = await findFlag(client, "msevtmgt_event", [/session/i, /regist/i]);
  const select = [
    "msevtmgt_eventid",
    "msevtmgt_name",
    "msevtmgt_readableeventid",
    ...(sessionFlag ? [sessionFlag] : []),
  ].join(",");
  const counts = await passCounts(client);
  const warnings: string[] = [];
  const targets = await resolveTargets(client, input, select, counts, warnings);
  const report = { warnings, log };
  const assigned = await assignToEvents(
    client,
    targets,
    { lookup, pageSet, pageId, sessionFlag },
    counts,
    report,
  );
  const defaultSet = await handleDefault(client, input, pageId, report);
  return {
    page: { id: pageId, table: lookup.target },
    lookup: lookup.logicalName,
    assigned,
    defaultSet,
    warnings,
  };
}
