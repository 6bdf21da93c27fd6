// A loopback proxy in front of the Dataverse stand-in that records every finalize call (purchase,
// when it was sent, when Dataverse's answer came back, the status) and holds each one a little, so
// two calls for one purchase in flight at once would overlap visibly. The endpoints see the proxy as
// their organisation and authority; the proxy swaps its origin for the stand-in's on the way in
// (the token scope) and back on the way out (OpenID metadata, OData links), so tokens stay valid.

import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const FINALIZE = /\/msevtmgt_FinalizeExternalRegistrationRequest$/;
const DROPPED_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "content-encoding",
]);

export interface FinalizeCall {
  purchaseId: string;
  /** performance.now() when the call reached the proxy, and when the stand-in's answer came back. */
  sentAt: number;
  answeredAt: number | null;
  status: number | null;
}

export interface FinalizeRecorder {
  url: string;
  calls: FinalizeCall[];
  /** Pairs of calls for one purchase whose flights overlapped. */
  overlaps(): Array<[FinalizeCall, FinalizeCall]>;
  close(): Promise<void>;
}

function swap(text: string, from: string, to: string): string {
  return text.split(from).join(to).split(encodeURIComponent(from)).join(encodeURIComponent(to));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFinalizeRecorder(target: string, holdMs: number): Promise<FinalizeRecorder> {
  const calls: FinalizeCall[] = [];
  let self = "";

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = new URL(req.url ?? "/", "http://proxy.invalid").pathname;
    let call: FinalizeCall | null = null;
    if (req.method === "POST" && FINALIZE.test(path)) {
      const purchaseId = String((JSON.parse(body || "{}") as { PurchaseId?: unknown }).PurchaseId ?? "");
      call = { purchaseId, sentAt: performance.now(), answeredAt: null, status: null };
      calls.push(call);
      await new Promise((r) => setTimeout(r, holdMs));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && !DROPPED_HEADERS.has(k)) headers[k] = swap(v, self, target);
    }
    const upstream = await fetch(`${target}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers,
      ...(body !== "" ? { body: swap(body, self, target) } : {}),
    });
    const text = swap(await upstream.text(), target, self);
    if (call) {
      call.answeredAt = performance.now();
      call.status = upstream.status;
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!DROPPED_HEADERS.has(k)) out[k] = swap(v, target, self);
    });
    if (!res.destroyed) res.writeHead(upstream.status, out).end(text);
  }

  const server = createServer((req, res) => {
    forward(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    calls,
    overlaps() {
      const found: Array<[FinalizeCall, FinalizeCall]> = [];
      const byPurchase = new Map<string, FinalizeCall[]>();
      for (const c of calls) byPurchase.set(c.purchaseId, [...(byPurchase.get(c.purchaseId) ?? []), c]);
      for (const list of byPurchase.values()) {
        const sorted = [...list].sort((a, b) => a.sentAt - b.sentAt);
        for (let i = 1; i < sorted.length; i++) {
          const before = sorted[i - 1]!;
          const after = sorted[i]!;
          if (before.answeredAt === null || after.sentAt < before.answeredAt) found.push([before, after]);
        }
      }
      return found;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
