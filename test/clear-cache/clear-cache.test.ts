import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clearPortalCache, type HttpCall } from "../../scripts/clear-cache/clear-cache";

const WEBSITE_ID = "aaaaaaaa-0000-4000-8000-000000000001";
const ENV_ID = "5f0a3c1e-1111-4222-8333-444455556666";

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
}

type Route = (req: IncomingMessage) => { status: number; body?: string } | undefined;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** One loopback server standing in for both the portal and the admin API; unexpected requests fail the test. */
async function start(route: Route): Promise<{ base: string; seen: Seen[]; unexpected: string[] }> {
  const seen: Seen[] = [];
  const unexpected: string[] = [];
  server = createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
    });
    const answer = route(req);
    if (!answer) {
      unexpected.push(`${req.method} ${req.url}`);
      res.writeHead(599).end();
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body ?? "");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen, unexpected };
}

const http: HttpCall = async ({ method, url, headers, body }) => {
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: response.status, body: await response.text() };
};

function deps(tokens: { dataverse?: () => Promise<string>; admin?: () => Promise<string> } = {}) {
  const lines: string[] = [];
  return {
    lines,
    deps: {
      http,
      dataverseToken: tokens.dataverse ?? (async () => "dv-token"),
      adminToken: tokens.admin ?? (async () => "admin-token"),
      log: (line: string) => lines.push(line),
    },
  };
}

describe("clear the portal cache", () => {
  it("uses the config endpoint first, with a Dataverse token", async () => {
    const fake = await start((req) =>
      req.method === "DELETE" && req.url === "/_services/cache/config" ? { status: 204 } : undefined,
    );
    const result = await clearPortalCache(
      { websiteId: WEBSITE_ID, portalUrl: fake.base + "/", environmentId: ENV_ID, allowSignIn: true },
      deps().deps,
    );
    expect(result.method).toBe("config-endpoint");
    expect(fake.seen).toEqual([
      {
        method: "DELETE",
        url: "/_services/cache/config",
        authorization: "Bearer dv-token",
        contentType: "text/plain",
      },
    ]);
    expect(fake.unexpected).toEqual([]);
  });

  it("falls back to the admin API restart, resolving the website through the paged list", async () => {
    const fake = await start((req) => {
      if (req.method === "DELETE") return { status: 403 };
      if (
        req.method === "GET" &&
        req.url === `/powerpages/environments/${ENV_ID}/websites?api-version=2022-03-01-preview`
      )
        return { status: 200, body: JSON.stringify({ value: [{ id: "other", websiteRecordId: "zzz" }] }) };
      if (
        req.method === "GET" &&
        req.url === `/powerpages/environments/${ENV_ID}/websites?api-version=2022-03-01-preview&skip=1`
      )
        return {
          status: 200,
          body: JSON.stringify({
            value: [
              {
                id: "site-1",
                websiteRecordId: WEBSITE_ID.toUpperCase(),
                websiteUrl: "https://contoso.powerappsportals.com",
              },
            ],
          }),
        };
      if (
        req.method === "POST" &&
        req.url ===
          `/powerpages/environments/${ENV_ID}/websites/site-1/restart?api-version=2022-03-01-preview`
      )
        return { status: 200 };
      return undefined;
    });
    const result = await clearPortalCache(
      {
        websiteId: WEBSITE_ID,
        portalUrl: fake.base,
        environmentId: ENV_ID,
        adminApiBase: fake.base,
        allowSignIn: true,
      },
      deps().deps,
    );
    expect(result.method).toBe("restart");
    expect(result.attempts.map((a) => a.method)).toEqual(["config-endpoint", "restart"]);
    expect(result.attempts[0]?.outcome).toBe("answered 403");
    expect(
      fake.seen.filter((s) => s.method !== "DELETE").every((s) => s.authorization === "Bearer admin-token"),
    ).toBe(true);
    expect(fake.unexpected).toEqual([]);
  });

  it("ends with the manual step and its URL when nothing else works", async () => {
    const fake = await start((req) => (req.method === "DELETE" ? { status: 401 } : undefined));
    const result = await clearPortalCache(
      { websiteId: WEBSITE_ID, portalUrl: fake.base, environmentId: ENV_ID, allowSignIn: false },
      deps().deps,
    );
    expect(result.method).toBe("manual");
    expect(result.manualSteps[0]).toContain(`${fake.base}/_services/about`);
    expect(result.manualSteps.join(" ")).toMatch(/15 minutes/);
    expect(result.attempts[1]?.outcome).toMatch(/sign-in not allowed/);
  });

  it("does not ask anyone to sign in when a token cannot be had, and says why", async () => {
    const result = await clearPortalCache(
      { websiteId: WEBSITE_ID, environmentId: ENV_ID, allowSignIn: true, adminApiBase: "http://127.0.0.1:9" },
      deps({ admin: async () => Promise.reject(new Error("device code flow cancelled")) }).deps,
    );
    expect(result.method).toBe("manual");
    expect(result.attempts[0]?.outcome).toMatch(/portal URL is not known/);
    expect(result.attempts[1]?.outcome).toMatch(/device code flow cancelled/);
  });
});
