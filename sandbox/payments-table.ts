// The sandbox's payments table: made at start in the Dataverse stand-in by the same code as
// `npm run payments-table -- create` (through the kit's Dataverse client and the metadata Web API),
// so the stand-in learns it as a real org would. Kept in the stand-in's file, so later runs find it.
import { createDataverseClient } from "../confirmation-endpoint/dataverse";
import { ensurePaymentsTable } from "../confirmation-endpoint/payments-table/create-table";
import { paymentsTableNames } from "../confirmation-endpoint/payments-table/definition";
import type { DataverseStandIn } from "./dataverse/start-dataverse-stand-in";

export async function createSandboxPaymentsTable(
  dataverse: DataverseStandIn,
  log: (line: string) => void,
): Promise<void> {
  const client = createDataverseClient({
    url: dataverse.url,
    tenantId: dataverse.tenantId,
    clientId: dataverse.clientId,
    credentials: [{ clientSecret: dataverse.clientSecret }],
    authorityHost: dataverse.authorityHost,
    maxAttempts: 2,
  });
  try {
    const result = await ensurePaymentsTable(client, { names: paymentsTableNames() });
    const created = result.steps.filter((s) => s.action === "created").length;
    log(
      created > 0
        ? `payments table ${result.table} created in the Dataverse stand-in (${created} parts)`
        : `payments table ${result.table} found in the Dataverse stand-in`,
    );
  } finally {
    client.close();
  }
}
