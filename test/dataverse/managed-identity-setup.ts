// Shared by the managed identity tests: the Dataverse stand-in with application users that sign in
// as managed identities, and the managed identity stand-in that issues their tokens. msal keeps the
// identity protocol it picked for the life of the process, so each protocol has its own test file.

import { randomUUID } from "node:crypto";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { startManagedIdentityStandIn } from "../../sandbox/managed-identity/start-managed-identity-stand-in";
import type {
  ManagedIdentityStandIn,
  StandInIdentity,
} from "../../sandbox/managed-identity/start-managed-identity-stand-in";

export interface IdentityWorld {
  dataverse: DataverseStandIn;
  identity: ManagedIdentityStandIn;
  system: StandInIdentity;
  userAssigned: StandInIdentity;
  /** An identity assigned to the host but not an application user in Dataverse. */
  stranger: StandInIdentity;
  close(): Promise<void>;
}

function makeIdentity(name: string): StandInIdentity {
  return {
    clientId: randomUUID(),
    objectId: randomUUID(),
    resourceId: `/subscriptions/${randomUUID()}/resourceGroups/kit-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
  };
}

export async function startIdentityWorld(
  options: { tokenLifetimeSeconds?: number } = {},
): Promise<IdentityWorld> {
  const system = makeIdentity("system");
  const userAssigned = makeIdentity("kit-endpoint");
  const stranger = makeIdentity("someone-else");
  const dataverse = await startDataverseStandIn({
    applicationUsers: [{ clientId: system.clientId }, { clientId: userAssigned.clientId }],
    ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
  });
  const identity = await startManagedIdentityStandIn({
    system,
    userAssigned: [userAssigned, stranger],
    resources: { [dataverse.url]: (clientId, resource) => dataverse.issueForIdentity(clientId, resource) },
  });
  return {
    dataverse,
    identity,
    system,
    userAssigned,
    stranger,
    async close() {
      await identity.close();
      await dataverse.close();
    },
  };
}

/** Sets variables on process.env (msal reads the identity endpoint from there); returns the undo. */
export function setProcessEnv(values: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
