// A loopback stand-in of Azure Key Vault's secrets API, in the shape @azure/keyvault-secrets speaks:
// GET /secrets/{name}[/{version}]?api-version=…; a request without a bearer token gets the 401
// challenge (`WWW-Authenticate: Bearer authorization="…", resource="…"`) the SDK answers by asking
// its credential for a token for that resource; a token this stand-in did not issue, or one of an
// identity without access, gets 401 or 403. The SDK's HTTP client refuses plain http (unless
// allowInsecureConnection, for localhost only) and its challenge handling wants the vault's host
// name to end with the challenge's resource host (unless disableChallengeResourceVerification).
// Rather than switch both checks off, the stand-in serves https with a throwaway self-signed
// certificate for `<vault>.vault.test` on 127.0.0.1: the caller trusts that certificate, and
// resolves that name to 127.0.0.1, in its own https agent only.

import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createNodeListener } from "../../confirmation-endpoint/http/node-adapter";
import { createThrowawayCertificate } from "../paypal/throwaway-certificate";

export interface KeyVaultStandInOptions {
  /** First label of the vault's host name (default "kit"): https://kit.vault.test:<port>. */
  vaultName?: string;
  /** Secret name → value. */
  secrets?: Record<string, string>;
  /** Application (client) ids of the identities allowed to read secrets ("Key Vault Secrets User"). */
  readers: string[];
  /** Lifetime of the tokens issueToken hands out (default 3600 s). */
  tokenLifetimeSeconds?: number;
}

export interface KeyVaultStandIn {
  /** https://<vault>.vault.test:<port> */
  url: string;
  hostname: string;
  port: number;
  /** The audience tokens are for, as the challenge names it. */
  resource: string;
  /** The certificate to trust (PEM). */
  certificatePem: string;
  /** What the managed identity stand-in calls to issue a token for this vault's resource. */
  issueToken(
    clientId: string,
    resource: string,
  ):
    | { ok: true; accessToken: string; expiresInSeconds: number }
    | { ok: false; status: number; message: string };
  setSecret(name: string, value: string): void;
  /** Requests by outcome, and the secret names read (never values). */
  readonly stats: { challenges: number; refused: number; reads: string[] };
  close(): Promise<void>;
}

const RESOURCE = "https://vault.test";
const API_VERSION = /^(7\.\d+|\d{4}-\d{2}-\d{2})(-preview)?$/;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function vaultError(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return json(status, { error: { code, message } }, headers);
}

interface Tokens {
  issue(clientId: string): string;
  /** The client id a valid token names, else null. */
  check(token: string): string | null;
}

function createTokens(lifetimeSeconds: number): Tokens {
  const key = randomBytes(32);
  const sign = (body: string) => createHmac("sha256", key).update(body).digest("base64url");
  return {
    issue(clientId) {
      const body = Buffer.from(
        JSON.stringify({
          aud: RESOURCE,
          appid: clientId,
          exp: Math.floor(Date.now() / 1000) + lifetimeSeconds,
          jti: randomUUID(),
        }),
      ).toString("base64url");
      return `${body}.${sign(body)}`;
    },
    check(token) {
      const [body, signature] = token.split(".");
      if (!body || !signature || sign(body) !== signature) return null;
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
        appid: string;
        exp: number;
      };
      return claims.exp * 1000 > Date.now() ? claims.appid : null;
    },
  };
}

interface VaultState {
  options: KeyVaultStandInOptions;
  secrets: Map<string, string>;
  versions: Map<string, string>;
  tokens: Tokens;
  stats: KeyVaultStandIn["stats"];
  origin: () => string;
}

/** The secrets API: the challenge, the token and access checks, then the secret. */
function createVaultHandler(state: VaultState): (request: Request) => Promise<Response> {
  const { options, secrets, versions, tokens, stats, origin } = state;
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const match = /^\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-f]{32}))?\/?$/.exec(url.pathname);
    if (!match || request.method !== "GET")
      return vaultError(404, "NotFound", "No such route on this stand-in.");
    if (!API_VERSION.test(url.searchParams.get("api-version") ?? ""))
      return vaultError(400, "BadParameter", "The api-version query parameter is missing or not supported.");
    const bearer = /^Bearer (\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!bearer) {
      stats.challenges++;
      return vaultError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", {
        "www-authenticate": `Bearer authorization="https://login.microsoftonline.invalid/00000000-0000-0000-0000-000000000000", resource="${RESOURCE}"`,
      });
    }
    const clientId = tokens.check(bearer);
    if (clientId === null) {
      stats.refused++;
      return vaultError(401, "Unauthorized", "AKV10032: Invalid issuer or expired token.");
    }
    if (!options.readers.some((r) => r.toLowerCase() === clientId.toLowerCase())) {
      stats.refused++;
      return vaultError(
        403,
        "Forbidden",
        `Caller ${clientId} is not authorized to perform action on resource (getSecret).`,
      );
    }
    const name = match[1]!;
    const value = secrets.get(name);
    if (value === undefined)
      return vaultError(
        404,
        "SecretNotFound",
        `A secret with (name/id) ${name} was not found in this key vault.`,
      );
    stats.reads.push(name);
    const version = versions.get(name) ?? randomUUID().replace(/-/g, "");
    versions.set(name, version);
    const at = Math.floor(Date.now() / 1000);
    return json(200, {
      value,
      id: `${origin()}/secrets/${name}/${version}`,
      attributes: {
        enabled: true,
        created: at,
        updated: at,
        recoveryLevel: "Recoverable+Purgeable",
        recoverableDays: 90,
      },
      tags: {},
    });
  };
}

export async function startKeyVaultStandIn(options: KeyVaultStandInOptions): Promise<KeyVaultStandIn> {
  const hostname = `${options.vaultName ?? "kit"}.vault.test`;
  const certificate = createThrowawayCertificate(hostname);
  const secrets = new Map(Object.entries(options.secrets ?? {}));
  const versions = new Map<string, string>();
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const tokens = createTokens(lifetime);
  const stats = { challenges: 0, refused: 0, reads: [] as string[] };
  let origin = "";

  const handler = createVaultHandler({ options, secrets, versions, tokens, stats, origin: () => origin });

  const server = createServer(
    { key: certificate.privateKey.export({ format: "pem", type: "pkcs8" }), cert: certificate.pem },
    createNodeListener(handler, () => undefined),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `https://${hostname}:${port}`;
  return {
    url: origin,
    hostname,
    port,
    resource: RESOURCE,
    certificatePem: certificate.pem,
    issueToken(clientId, resource) {
      if (resource.replace(/\/+$/, "") !== RESOURCE)
        return { ok: false, status: 400, message: `This vault's tokens are for ${RESOURCE}.` };
      return { ok: true, accessToken: tokens.issue(clientId), expiresInSeconds: lifetime };
    },
    setSecret: (name, value) => void secrets.set(name, value),
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
