// The Node adapter's cheaper paths (issue 22, item 1): bodies read ahead and handed to
// readBodyCapped byte for byte, caps still answered 413, JSON answers written from their text, and
// the abort signal of a GET fired only when the client leaves before its answer. Real HTTP on
// 127.0.0.1.
import { createHash } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { FetchHandler } from "../../confirmation-endpoint/app";
import { createNodeListener, MAX_PREREAD_BODY_BYTES } from "../../confirmation-endpoint/http/node-adapter";
import { readBodyCapped } from "../../confirmation-endpoint/http/read-body";
import { jsonResponse } from "../../confirmation-endpoint/http/responses";
import { HttpError } from "../../confirmation-endpoint/errors";

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function serve(handler: FetchHandler, prereadBodies = true): Promise<string> {
  server = createServer(createNodeListener(handler, () => undefined, { prereadBodies }));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** Echoes the body's length and hash as read by readBodyCapped (cap 64 KiB), or the 413. */
const echo: FetchHandler = async (request) => {
  try {
    const body = await readBodyCapped(request, 64 * 1024);
    return jsonResponse(200, {
      bytes: body.byteLength,
      sha: createHash("sha256").update(body).digest("hex"),
    });
  } catch (error) {
    if (error instanceof HttpError) return jsonResponse(error.status, { code: error.code });
    throw error;
  }
};

describe("createNodeListener", () => {
  it.each([true, false])(
    "hands the raw body to readBodyCapped byte for byte (read ahead: %s)",
    async (preread) => {
      const url = await serve(echo, preread);
      const body = Buffer.from(`{"a":"${"é".repeat(5000)}"}\r\n\u0000`, "utf8");
      const res = await fetch(`${url}/v1/webhooks/stripe`, { method: "POST", body });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        bytes: body.byteLength,
        sha: createHash("sha256").update(body).digest("hex"),
      });
    },
  );

  it("a body over the route's cap is still a 413 from the route", async () => {
    const url = await serve(echo);
    const res = await fetch(`${url}/x`, { method: "POST", body: Buffer.alloc(65 * 1024, 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("a body over what the adapter reads ahead is a 413 without calling the handler", async () => {
    let called = false;
    const url = await serve(async (r) => ((called = true), echo(r)));
    const res = await fetch(`${url}/x`, {
      method: "POST",
      body: Buffer.alloc(MAX_PREREAD_BODY_BYTES + 1, 1),
    });
    expect(res.status).toBe(413);
    expect(called).toBe(false);
  });

  it("writes a JSON answer and its headers; HEAD gets no body", async () => {
    const url = await serve(async () => jsonResponse(201, { ok: "ü" }, { "x-kit": "1" }));
    const res = await fetch(`${url}/y`);
    expect(res.status).toBe(201);
    expect(res.headers.get("x-kit")).toBe("1");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.text()).toBe('{"ok":"ü"}');
    const head = await fetch(`${url}/y`, { method: "HEAD" });
    expect(await head.text()).toBe("");
  });

  it("a GET's signal aborts when the client leaves before the answer, not after a normal answer", async () => {
    const signals: AbortSignal[] = [];
    const url = await serve(async (request) => {
      signals.push(request.signal);
      if (new URL(request.url).pathname === "/fast") return jsonResponse(200, {});
      await new Promise<void>((resolve) => request.signal.addEventListener("abort", () => resolve()));
      return jsonResponse(200, {});
    });
    await (await fetch(`${url}/fast`)).text();
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/held`);
      req.on("error", () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(false);
    expect(signals[1]!.aborted).toBe(true);
  });
});
