// The Microsoft Entra ID side of the stand-in: the OAuth2 client-credentials token endpoint, the
// OpenID discovery document, and validation of the bearer tokens it issued.
//
// Tokens are JWT-shaped (header.payload.signature, HS256 with a key kept in the stand-in's database),
// so they survive a restart on the same file and expire by the stand-in's clock. Error bodies follow
// Entra ID's shape: error, error_description (starting with the AADSTS code), error_codes,
// timestamp, trace_id, correlation_id, error_uri.
import {
  createHmac,
  createPublicKey,
  constants,
  randomBytes,
  randomUUID,
  timingSafeEqual,
  verify,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import type { ApplicationUser, RecordStore } from "./record-store";

export interface TokenServiceOptions {
  store: RecordStore;
  /** The stand-in's clock (epoch ms): issues and expires tokens. */
  now: () => number;
  /** Organisation URL the tokens are for (the `aud` claim and the `<url>/.default` scope). */
  orgUrl: string;
  tenantId: string;
  /** Base of the authority, e.g. http://127.0.0.1:PORT; endpoints live under /<tenant>/. */
  authorityHost: string;
  tokenLifetimeSeconds: number;
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

export type BearerCheck =
  | { ok: true; clientId: string; userId: string }
  | { ok: false; reason: "missing" | "expired" | "invalid"; message: string };

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const oidcScopes = new Set(["openid", "profile", "offline_access", "email"]);

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  if (!segment) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What every part of the token service reads: the options plus the signing key from the database. */
interface TokenIssuer extends TokenServiceOptions {
  orgUrl: string;
  signingKey: Buffer;
}

function sign(issuer: TokenIssuer, input: string): string {
  return createHmac("sha256", issuer.signingKey).update(input).digest("base64url");
}

function entraError(
  issuer: TokenIssuer,
  status: number,
  error: string,
  aadsts: number,
  description: string,
): TokenResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(issuer.now())
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${issuer.authorityHost}/error?code=${aadsts}`,
    },
  };
}

function issue(issuer: TokenIssuer, user: ApplicationUser): TokenResponse {
  const iat = Math.floor(issuer.now() / 1000);
  const exp = iat + issuer.tokenLifetimeSeconds;
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "HS256", kid: "dataverse-stand-in" }));
  const payload = base64url(
    JSON.stringify({
      aud: issuer.orgUrl,
      iss: `https://sts.windows.net/${issuer.tenantId}/`,
      iat,
      nbf: iat,
      exp,
      appid: user.clientId,
      appidacr: "1",
      idtyp: "app",
      oid: user.userId,
      sub: user.userId,
      tid: issuer.tenantId,
      ver: "1.0",
      jti: randomUUID(),
    }),
  );
  const token = `${header}.${payload}.${sign(issuer, `${header}.${payload}`)}`;
  return {
    status: 200,
    body: {
      token_type: "Bearer",
      expires_in: issuer.tokenLifetimeSeconds,
      ext_expires_in: issuer.tokenLifetimeSeconds,
      access_token: token,
    },
  };
}

function publicKeyOf(pem: string): KeyObject {
  return pem.includes("BEGIN CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

function signatureMatches(alg: unknown, data: Buffer, pem: string, signature: Buffer): boolean {
  const key = publicKeyOf(pem);
  if (alg === "PS256")
    return verify(
      "sha256",
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      signature,
    );
  return alg === "RS256" ? verify("sha256", data, key, signature) : false;
}

/** Checks a private_key_jwt client assertion against the registered public key. Real time, not the stand-in clock: the client signs with its own clock. */
function assertionProblem(
  issuer: TokenIssuer,
  assertion: string,
  user: ApplicationUser,
  tokenUrl: string,
): string | null {
  if (!user.certificatePem)
    return "no certificate is registered for this application; sign in with its client secret";
  const [h, p, s] = assertion.split(".");
  const header = decodeSegment(h);
  const payload = decodeSegment(p);
  if (!header || !payload || !s) return "the client assertion is not a JWT";
  if (payload.iss !== user.clientId || payload.sub !== user.clientId)
    return "the client assertion's iss and sub must be the client id";
  const aud = String(payload.aud ?? "");
  if (!aud.endsWith(`/${issuer.tenantId}/oauth2/v2.0/token`) && aud !== tokenUrl)
    return `the client assertion's aud '${aud}' is not this token endpoint`;
  const nowSec = Date.now() / 1000;
  if (typeof payload.exp !== "number" || payload.exp + 300 < nowSec)
    return "the client assertion has expired";
  const ok = signatureMatches(
    header.alg,
    Buffer.from(`${h}.${p}`),
    user.certificatePem,
    Buffer.from(s, "base64url"),
  );
  return ok ? null : "the client assertion's signature does not match the registered certificate";
}

/** The application the request names, or Entra ID's error for a bad tenant, grant or client id. */
function findClient(
  issuer: TokenIssuer,
  tenant: string,
  form: URLSearchParams,
  basicAuth: { id: string; secret: string } | null,
): ApplicationUser | TokenResponse {
  if (tenant.toLowerCase() !== issuer.tenantId.toLowerCase())
    return entraError(
      issuer,
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check the tenant id in the authority URL.`,
    );
  const grant = form.get("grant_type");
  if (grant !== "client_credentials")
    return entraError(
      issuer,
      400,
      "unsupported_grant_type",
      70003,
      `The grant type '${grant ?? ""}' is not supported here; use client_credentials.`,
    );
  const clientId = form.get("client_id") ?? basicAuth?.id ?? null;
  if (!clientId)
    return entraError(
      issuer,
      400,
      "invalid_request",
      900144,
      "The request body must contain the parameter 'client_id'.",
    );
  const user = issuer.store
    .listApplicationUsers()
    .find((u) => u.clientId.toLowerCase() === clientId.toLowerCase());
  return (
    user ??
    entraError(
      issuer,
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory of tenant '${issuer.tenantId}'.`,
    )
  );
}

/** Entra ID's error when the client assertion or secret does not prove the application, else null. */
function credentialProblem(
  issuer: TokenIssuer,
  user: ApplicationUser,
  form: URLSearchParams,
  basicAuth: { id: string; secret: string } | null,
  tokenUrl: string,
): TokenResponse | null {
  const secret = form.get("client_secret") ?? basicAuth?.secret ?? null;
  const assertion = form.get("client_assertion");
  if (assertion !== null) {
    if (form.get("client_assertion_type") !== assertionType)
      return entraError(
        issuer,
        400,
        "invalid_request",
        90014,
        `client_assertion_type must be '${assertionType}'.`,
      );
    const problem = assertionProblem(issuer, assertion, user, tokenUrl);
    return problem
      ? entraError(issuer, 401, "invalid_client", 700027, `Client assertion failed validation: ${problem}.`)
      : null;
  }
  if (secret === null)
    return entraError(
      issuer,
      401,
      "invalid_client",
      7000218,
      "The request body must contain 'client_assertion' or 'client_secret'.",
    );
  const expected = Buffer.from(user.clientSecret ?? "");
  const given = Buffer.from(secret);
  if (user.clientSecret && expected.length === given.length && timingSafeEqual(expected, given)) return null;
  return entraError(
    issuer,
    401,
    "invalid_client",
    7000215,
    `Invalid client secret provided for application '${form.get("client_id") ?? basicAuth?.id ?? user.clientId}'. Send the secret's value, not its id.`,
  );
}

/** Entra ID's error unless the request asks for exactly `<orgUrl>/.default`, else null. */
function scopeProblem(issuer: TokenIssuer, form: URLSearchParams): TokenResponse | null {
  const { orgUrl, tenantId } = issuer;
  const scopes = (form.get("scope") ?? "").split(/\s+/).filter((s) => s && !oidcScopes.has(s));
  if (scopes.length !== 1)
    return entraError(
      issuer,
      400,
      "invalid_scope",
      1002012,
      `Ask for exactly one resource scope, '${orgUrl}/.default'; got '${form.get("scope") ?? ""}'.`,
    );
  const scope = scopes[0] ?? "";
  const resource = scope.replace(/\/*\.default$/, "");
  if (!scope.endsWith("/.default"))
    return entraError(
      issuer,
      400,
      "invalid_scope",
      1002012,
      `The scope '${scope}' is not valid for client credentials: use '${orgUrl}/.default'.`,
    );
  if (resource.toLowerCase() !== orgUrl.toLowerCase())
    return entraError(
      issuer,
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in tenant '${tenantId}'. Ask for '${orgUrl}/.default'.`,
    );
  return null;
}

function openIdConfiguration(issuer: TokenIssuer, tenant: string): Record<string, unknown> {
  const base = `${issuer.authorityHost}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: null,
  };
}

const refused = (message: string, reason: "missing" | "invalid" = "invalid"): BearerCheck => ({
  ok: false,
  reason,
  message,
});

/** Validates `Authorization: Bearer …` for the Web API. */
function checkBearer(issuer: TokenIssuer, header: string | undefined): BearerCheck {
  if (!header) return refused("No Authorization header: send 'Authorization: Bearer <token>'.", "missing");
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return refused("The Authorization header is not a bearer token.");
  const [h, p, s] = token.split(".");
  const payload = decodeSegment(p);
  if (!h || !p || !s || !payload || sign(issuer, `${h}.${p}`) !== s)
    return refused("The bearer token was not issued by this environment's authority.");
  const audience = String(payload.aud ?? "")
    .replace(/\/+$/, "")
    .toLowerCase();
  if (audience !== issuer.orgUrl.toLowerCase())
    return refused(`The bearer token is for '${String(payload.aud)}', not for '${issuer.orgUrl}'.`);
  if (typeof payload.exp !== "number" || payload.exp * 1000 <= issuer.now())
    return { ok: false, reason: "expired", message: "The bearer token has expired: acquire a new one." };
  const clientId = String(payload.appid ?? "");
  const user = issuer.store.listApplicationUsers().find((u) => u.clientId === clientId);
  if (!user) return refused(`The application '${clientId}' is no longer an application user here.`);
  return { ok: true, clientId, userId: user.userId };
}

/** What the managed identity stand-in gets back when it asks for a token on an identity's behalf. */
export type IdentityTokenResult =
  | { ok: true; accessToken: string; expiresInSeconds: number }
  | { ok: false; status: number; message: string };

/**
 * A token for an application user that signs in as a managed identity: the identity endpoint has
 * already proven who is asking, so only the resource and the application user are checked.
 */
function issueForIdentity(issuer: TokenIssuer, clientId: string, resource: string): IdentityTokenResult {
  const audience = resource.replace(/\/*\.default$/, "").replace(/\/+$/, "");
  if (audience.toLowerCase() !== issuer.orgUrl.toLowerCase())
    return {
      ok: false,
      status: 400,
      message: `No resource '${audience}' in this tenant; ask for '${issuer.orgUrl}'.`,
    };
  const user = issuer.store
    .listApplicationUsers()
    .find((u) => u.clientId.toLowerCase() === clientId.toLowerCase());
  if (!user)
    return {
      ok: false,
      status: 400,
      message: `The identity with application id '${clientId}' is not an application user of this environment.`,
    };
  const token = issue(issuer, user);
  return {
    ok: true,
    accessToken: String(token.body.access_token),
    expiresInSeconds: issuer.tokenLifetimeSeconds,
  };
}

export function createTokenService(options: TokenServiceOptions) {
  let key = options.store.getSetting("signing-key");
  if (!key) {
    key = randomBytes(32).toString("hex");
    options.store.setSetting("signing-key", key);
  }
  const issuer: TokenIssuer = {
    ...options,
    orgUrl: options.orgUrl.replace(/\/+$/, ""),
    signingKey: Buffer.from(key, "hex"),
  };
  return {
    /** POST /<tenant>/oauth2/v2.0/token with a form body. */
    handleTokenRequest(
      tenant: string,
      form: URLSearchParams,
      basicAuth: { id: string; secret: string } | null,
      tokenUrl: string,
    ): TokenResponse {
      const user = findClient(issuer, tenant, form, basicAuth);
      if ("status" in user) return user;
      return (
        credentialProblem(issuer, user, form, basicAuth, tokenUrl) ??
        scopeProblem(issuer, form) ??
        issue(issuer, user)
      );
    },
    openIdConfiguration: (tenant: string) => openIdConfiguration(issuer, tenant),
    issueForIdentity: (clientId: string, resource: string) => issueForIdentity(issuer, clientId, resource),
    checkBearer: (header: string | undefined) => checkBearer(issuer, header),
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
