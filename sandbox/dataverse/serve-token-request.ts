// POST /<tenant>/oauth2/v2.0/token on the wire: the form body and HTTP Basic client credentials in,
// Entra ID's JSON answer out (token-service.ts decides what it says).
import { randomUUID } from "node:crypto";
import type { DataverseRuntime } from "./dataverse-runtime";
import { readBodyText } from "./read-json-body";
import { respond } from "./respond";
import type { Answer } from "./serve-web-api";

function basicCredentials(header: string | null): { id: string; secret: string } | null {
  const basic = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!basic?.[1]) return null;
  const [id, secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
  return { id: decodeURIComponent(id ?? ""), secret: decodeURIComponent(secret ?? "") };
}

export async function serveTokenRequest(
  rt: DataverseRuntime,
  request: Request,
  tenant: string,
): Promise<Answer> {
  rt.stats.tokenRequests++;
  const form = new URLSearchParams(await readBodyText(request));
  const tokenUrl = `${rt.origin}${new URL(request.url).pathname}`;
  const basic = basicCredentials(request.headers.get("authorization"));
  const answer = rt.tokens?.handleTokenRequest(tenant, form, basic, tokenUrl) ?? { status: 503, body: {} };
  const response = respond(rt.clock.now, answer.status, JSON.stringify(answer.body), {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store, no-cache",
    "x-ms-request-id": randomUUID(),
  });
  return {
    response,
    entry: { status: answer.status, error: answer.body.error ?? null, clientId: form.get("client_id") },
  };
}
