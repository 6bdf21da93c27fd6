// Thousands of malformed requests at every route: never a 5xx, never a crash, never a change of state.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../providers/seeded-random";
import { sign } from "./fakes";
import { createHarness, PORTAL, PURCHASE, T0 } from "./harness";
import type { Harness } from "./harness";

const SEED = 20261126;
const rand = mulberry32(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (n: number) => Math.floor(rand() * n);

function randomString(max = 40): string {
  const alphabets = [
    "abc",
    "0123456789abcdef-",
    '{}[]":,\\',
    "\u0000\u0001\u001f\u007f",
    "é漢🙂\ud800",
    " \t\n\r",
    "%2F%00..//",
  ];
  let s = "";
  const n = int(max);
  for (let i = 0; i < n; i++) {
    const a = pick(alphabets);
    s += a[int(a.length)] ?? "";
  }
  return s;
}

function randomJson(depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick([0, -1, 1e308, -0, 2 ** 53 + 1, 3.14]);
    case 3:
      return randomString();
    case 4:
      return pick([
        PURCHASE,
        `{${PURCHASE}}`,
        PURCHASE.toUpperCase(),
        `${PORTAL}/p`,
        "https://evil.test/",
        "javascript:alert(1)",
        "",
      ]);
    case 5:
      return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        "purchaseId",
        "readableEventId",
        "userId",
        "locale",
        "returnUrl",
        "__proto__",
        "constructor",
        randomString(8),
      ];
      for (let i = 0; i < int(6); i++) o[pick(keys)] = randomJson(depth + 1);
      return o;
    }
  }
}

function randomBody(): string | Uint8Array {
  switch (int(6)) {
    case 0:
      return JSON.stringify(randomJson());
    case 1:
      return randomString(200);
    case 2:
      return Uint8Array.from({ length: int(300) }, () => int(256));
    case 3:
      return JSON.stringify({
        purchaseId: randomJson(),
        readableEventId: randomJson(),
        returnUrl: randomJson(),
        userId: randomJson(),
        locale: randomJson(),
      });
    case 4:
      return JSON.stringify(randomJson()).slice(0, int(30));
    default:
      return "";
  }
}

function randomHeaders(h: Harness, body: string | Uint8Array): Record<string, string> {
  const headers: Record<string, string> = {};
  if (rand() < 0.6)
    headers["content-type"] = pick([
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      randomString(10).replace(/[^\x20-\x7e]/g, ""),
    ]);
  if (rand() < 0.5) headers.origin = pick([PORTAL, "https://evil.test", "null", `${PORTAL}.evil.test`]);
  const t = Math.floor(h.clock.now() / 1000);
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  const sig = pick([
    "",
    "t=,v1=",
    `t=${t}`,
    `v1=${sign(t, text)}`,
    `t=${t - 301},v1=${sign(t - 301, text)}`,
    `t=${t + 3600},v1=${sign(t + 3600, text)}`,
    `t=${t},v1=${sign(t, text, "whsec_wrong")}`,
    `t=${t},v0=${sign(t, text)}`,
    `t=${t},v1=${"0".repeat(64)}`,
    randomString(30).replace(/[^\x20-\x7e]/g, ""),
  ]);
  if (sig !== "" || rand() < 0.5) headers["stripe-signature"] = sig;
  if (rand() < 0.1) headers["content-length"] = pick(["0", "-1", "99999999999", "abc"]);
  return headers;
}

/** encodeURIComponent that tolerates lone surrogates (the fuzz alphabet has one). */
function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "?"));
}

function randomPath(): string {
  return pick([
    "/v1/checkout",
    `/v1/purchases/${randomString(20).replace(/[/?#]/g, "") || "x"}/status`,
    `/v1/purchases/${encode(randomString(20))}/status`,
    "/v1/purchases/%E0%A4%A/status",
    "/v1/webhooks/stripe",
    `/v1/webhooks/${encode(randomString(10)) || "x"}`,
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/rtm/pay?purchaseId=x",
    `/${encode(randomString(10))}`,
  ]);
}

let h: Harness;
beforeAll(() => {
  h = createHarness({ startAt: T0 + 5 * 60_000 });
});
afterAll(async () => {
  await h.close();
});

describe("fuzz", () => {
  it(`3000 malformed requests (seed ${SEED}): no 5xx, no crash, no state change, no outbound call`, async () => {
    const before = JSON.stringify([
      await h.store.listJobs(),
      await h.store.listRefunds(),
      await h.store.listDeadLetters(),
      await h.store.getPurchase(PURCHASE),
    ]);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const body = randomBody();
      const method = pick(["POST", "POST", "POST", "GET", "OPTIONS", "PUT", "DELETE", "HEAD"]);
      const path = randomPath();
      let request: Request;
      try {
        request = new Request(`http://endpoint.test${path}`, {
          method,
          headers: randomHeaders(h, body),
          body: method === "GET" || method === "HEAD" ? undefined : (body as BodyInit),
        });
      } catch {
        continue; // the Request constructor itself refused (invalid header value): never reaches a host
      }
      const res = await h.app(request);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) {
        throw new Error(`request ${i} ${method} ${path} answered ${res.status}: ${await res.text()}`);
      }
      if (res.status >= 400 && method !== "HEAD") {
        const json = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
        expect(typeof json.error?.code).toBe("string");
        expect(typeof json.error?.message).toBe("string");
      }
    }
    const after = JSON.stringify([
      await h.store.listJobs(),
      await h.store.listRefunds(),
      await h.store.listDeadLetters(),
      await h.store.getPurchase(PURCHASE),
    ]);
    expect(after).toBe(before);
    expect(h.provider.calls).toEqual([]);
    expect(h.dataverse.calls.filter((c) => c.op === "finalize")).toEqual([]);
    expect(h.dataverse.unexpected).toEqual([]);
    // The mix really reached the routes' own answers, not only 404.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(300);
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 404, 405]));
  });
});
