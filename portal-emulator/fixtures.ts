// Data the preview answers with where the portal would ask Dataverse: signed-in contacts (for
// `user`), table rows (for `fetchxml`, `entities` and GET /_api/<entity set>).
import { z } from "zod";
import { PortalError } from "./errors";
import type { FixtureRows } from "./fetchxml-query";

export interface FixtureContact {
  contactid: string;
  fullname: string;
  firstname?: string;
  lastname?: string;
  emailaddress1?: string;
  /** Web role names; "Authenticated Users" style roles from webrole.yml are added automatically. */
  roles?: string[];
  [column: string]: unknown;
}

export interface PortalFixtures {
  contacts?: FixtureContact[];
  /** Rows by table logical name (`msevtmgt_event`). */
  rows?: FixtureRows;
  /** Entity set name → table logical name, for `/_api/<entity set>` (`contacts` → `contact`). */
  entitySets?: Record<string, string>;
}

export const defaultFixtures: PortalFixtures = {
  contacts: [
    {
      contactid: "cccccccc-0000-4000-8000-000000000001",
      fullname: "Alice Martin",
      firstname: "Alice",
      lastname: "Martin",
      emailaddress1: "alice@example.test",
      roles: [],
    },
    {
      contactid: "cccccccc-0000-4000-8000-000000000002",
      fullname: "Zoé <Test> O'Brien & Co",
      firstname: "Zoé",
      lastname: "O'Brien",
      emailaddress1: "zoe@example.test",
      roles: ["Administrators"],
    },
  ],
  rows: {},
  entitySets: { contacts: "contact" },
};

/** Finds a fixture contact by contact id or full name (case-insensitive). */
export function findFixtureContact(fixtures: PortalFixtures, key: string): FixtureContact | undefined {
  const wanted = key.trim().toLowerCase();
  return fixtures.contacts?.find(
    (c) => c.contactid.toLowerCase() === wanted || c.fullname.toLowerCase() === wanted,
  );
}

const fixturesSchema = z.strictObject({
  contacts: z
    .array(
      z.looseObject({
        contactid: z.string().min(1),
        fullname: z.string().min(1),
        roles: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  rows: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
  entitySets: z.record(z.string(), z.string()).optional(),
});

/** Checks fixtures read from a file; the error lists every problem with its path in the file. */
export function parseFixtures(value: unknown, source: string): PortalFixtures {
  const result = fixturesSchema.safeParse(value);
  if (result.success) return result.data as PortalFixtures;
  const problems = result.error.issues.map(
    (i) => `  ${i.path.length > 0 ? i.path.join(".") : "(top level)"}: ${i.message}`,
  );
  throw new PortalError(
    "INVALID_FIXTURES",
    `Fixtures ${source} do not have the expected shape { contacts: [{ contactid, fullname, roles? }], rows: { <table>: [rows] }, entitySets: { <set>: <table> } }:\n${problems.join("\n")}`,
  );
}
