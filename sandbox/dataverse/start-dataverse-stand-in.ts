// The Dataverse stand-in: one loopback server that plays Microsoft Entra ID's token endpoint and a
// Dataverse organisation's Web API (the event-management subset), with service protection, fault
// knobs, clock control and SQLite state. It serves through the endpoint's Request → Response adapter.
// See README "Sandbox: Dataverse stand-in".
import type { DataverseRecord } from "./record-store";
import type { FaultKnobs } from "./faults";
import type { StandInNames } from "./schema";
import type { ServiceProtectionLimits } from "./service-protection";
import type { RegistrationRequest, RegistrationResult } from "./register-purchase";
import { registerPurchase } from "./register-purchase";
import type { PurchaseMode, PurchaseState } from "./purchase-model";
import { seedSandbox, type SeedOptions, type SeedResult } from "./seed-data";
import type { Knobs } from "./context";
import { serveOnLoopback } from "../serve-on-loopback";
import { createDataverseHandler } from "./handle-dataverse-request";
import { createDataverseRuntime, type DataverseRuntime } from "./dataverse-runtime";
import { snapshotPurchase } from "./purchase-snapshot";
import { createRecord, updateRecord } from "./records";
import { createTokenService } from "./token-service";
import type { IdentityTokenResult } from "./token-service";

export interface ApplicationUserOption {
  /** For a managed identity: the identity's application (client) id, with no secret nor certificate. */
  clientId: string;
  clientSecret?: string;
  /** PEM public key or certificate that verifies private_key_jwt client assertions. */
  certificatePem?: string;
}

export interface DataverseStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only: the stand-in hands out tokens for a throwaway credential. */
  host?: "127.0.0.1";
  /** SQLite file; default in memory. Reopening the same file keeps every row, the users and the signing key. */
  dbPath?: string;
  /** Base clock (epoch ms); setClock/advance shift it. Default Date.now. */
  now?: () => number;
  tenantId?: string;
  /** Application users (client credentials). Default: the ones in the database, else one generated. */
  applicationUsers?: ApplicationUserOption[];
  /** expires_in of issued tokens (default 3599, like Entra ID). */
  tokenLifetimeSeconds?: number;
  limits?: Partial<ServiceProtectionLimits>;
  faults?: Partial<FaultKnobs>;
  knobs?: Partial<Knobs>;
  names?: Partial<StandInNames>;
  /** Random source for errorRate and the execution jitter (default Math.random). */
  random?: () => number;
  /** Real-time source for service protection's windows (default performance.now). */
  monotonic?: () => number;
  /** Real-time source for how long each request took (default `monotonic`; see createServiceProtection). */
  handlingClock?: () => number;
  /** One structured line per request; never receives tokens, secrets or bodies. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface PurchaseSnapshot {
  purchaseId: string;
  readableEventId: string;
  mode: PurchaseMode;
  state: PurchaseState;
  paid: boolean;
  processed: boolean;
  createdOn: string;
  expiresAt: string;
  totalPrice: number;
  registrationIds: string[];
}

export interface StandInStats {
  apiRequests: number;
  tokenRequests: number;
  unauthorized: number;
  actionCalls: Record<string, number>;
  throttled: { requests: number; time: number; concurrency: number; whileHeld: number };
  faults: { randomErrors: number; injected: number; dropped: number };
}

export interface DataverseStandIn {
  /** Organisation URL, e.g. http://127.0.0.1:PORT; the Web API is at <url>/api/data/v9.2/. */
  url: string;
  /** Token endpoint: POST <authorityHost>/<tenantId>/oauth2/v2.0/token. */
  authorityHost: string;
  tenantId: string;
  /** The first application user's credentials. */
  clientId: string;
  clientSecret: string;
  /** `<url>/.default`. */
  scope: string;
  applicationUsers: Array<{ clientId: string; clientSecret: string | null }>;
  /**
   * A token for the application user `clientId` signing in as a managed identity: what the managed
   * identity stand-in (sandbox/managed-identity/) hands out for this organisation's resource.
   */
  issueForIdentity(clientId: string, resource: string): IdentityTokenResult;
  seed(options?: SeedOptions): SeedResult;
  /** Real-time journeys Event API base: POST <eventApiUrl>events/<readable id>/registrations?emApplicationtoken=<eventApiToken>. */
  eventApiUrl: string;
  eventApiToken: string;
  /** What event management does when the event site submits a registration. */
  register(request: RegistrationRequest): RegistrationResult;
  /**
   * What a person does by hand in Dynamics 365 (a maker, not the kit's application user, whose
   * role cannot write these tables): create a row (id null) or change one. Answers the row.
   */
  editByHand(setName: string, id: string | null, columns: DataverseRecord): DataverseRecord;
  state: {
    get(setName: string, id: string): DataverseRecord | undefined;
    list(setName: string): DataverseRecord[];
    purchase(purchaseId: string): PurchaseSnapshot;
    stats: StandInStats;
  };
  now(): number;
  setClock(at: number | Date): void;
  advance(ms: number): void;
  setFaults(faults: Partial<FaultKnobs>): void;
  setKnobs(knobs: Partial<Knobs>): void;
  setLimits(limits: Partial<ServiceProtectionLimits>): void;
  close(): Promise<void>;
}

export async function startDataverseStandIn(
  options: DataverseStandInOptions = {},
): Promise<DataverseStandIn> {
  const rt = createDataverseRuntime(options);
  const server = await serveOnLoopback(createDataverseHandler(rt), {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    onError: (error) => rt.log({ status: 500, error: String(error) }),
  });
  const origin = server.url;
  rt.origin = origin;
  rt.tokens = createTokenService({
    store: rt.store,
    now: rt.clock.now,
    orgUrl: origin,
    tenantId: rt.tenantId,
    authorityHost: origin,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  });
  const users = rt.store.listApplicationUsers();
  const first = users[0];
  if (!first) throw new Error("The Dataverse stand-in has no application user.");
  return {
    url: origin,
    authorityHost: origin,
    tenantId: rt.tenantId,
    clientId: first.clientId,
    clientSecret: first.clientSecret ?? "",
    scope: `${origin}/.default`,
    applicationUsers: users.map((u) => ({ clientId: u.clientId, clientSecret: u.clientSecret })),
    issueForIdentity: (clientId, resource) => {
      rt.stats.tokenRequests++;
      return rt.tokens!.issueForIdentity(clientId, resource);
    },
    eventApiUrl: `${origin}/EvtMgmt/api/v2.0/`,
    get eventApiToken() {
      return rt.knobs.eventApiToken;
    },
    ...controls(rt),
    async close() {
      await server.close();
      rt.store.close();
    },
  };
}

/** What a test, the sandbox or a benchmark does with the running stand-in. */
function controls(rt: DataverseRuntime) {
  const { ctx, store, clock } = rt;
  return {
    seed: (seedOptions?: SeedOptions) => seedSandbox(ctx, seedOptions),
    register: (request: RegistrationRequest) => registerPurchase(ctx, request),
    editByHand: (setName: string, id: string | null, columns: DataverseRecord) =>
      store.transaction(() =>
        id === null ? createRecord(ctx, setName, columns) : updateRecord(ctx, setName, id, columns),
      ),
    state: {
      get: (setName: string, id: string) => store.get(setName, id),
      list: (setName: string) => store.list(setName),
      purchase: (purchaseId: string) => snapshotPurchase(ctx, purchaseId),
      stats: rt.stats,
    },
    now: clock.now,
    setClock(at: number | Date) {
      clock.offset = (typeof at === "number" ? at : at.getTime()) - clock.baseNow();
    },
    advance(ms: number) {
      clock.offset += ms;
    },
    setFaults(partial: Partial<FaultKnobs>) {
      Object.assign(rt.faultKnobs, partial);
    },
    setKnobs(partial: Partial<Knobs>) {
      Object.assign(rt.knobs, partial);
    },
    setLimits(partial: Partial<ServiceProtectionLimits>) {
      Object.assign(rt.limits, partial);
    },
  };
}
