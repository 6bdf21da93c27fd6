// A confirmation endpoint that answers each purchase id from a fixed scene: the order, an error, or
// a status. It lets the gateway page be shown in every state on demand (screenshots, accessibility
// checks) without a provider or Dataverse. It also plays the provider's page, sending the browser
// straight back as paid. Loopback only.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  CheckoutAnswer,
  PurchaseStatus,
  ReasonCode,
  StatusAnswer,
} from "../../confirmation-endpoint/contract/v1";

export const SCENE_EVENT = "Paid_Event1479011247";

/** What the endpoint answers for one purchase id. */
export interface Scene {
  /** POST /v1/checkout: the order (200) or an error status with its code. */
  checkout: "order" | { status: number; code: string };
  /** GET …/status: the statuses to answer in turn (the last one repeats). */
  statuses?: PurchaseStatus[];
  reason?: ReasonCode;
}

export interface StubEndpoint {
  url: string;
  /** The scene each purchase id plays; ids not listed answer 404 PURCHASE_NOT_FOUND. */
  scenes: Map<string, Scene>;
  /** Every checkout request body, in order. */
  checkouts: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export function sceneOrder(
  purchaseId: string,
  base: string,
  returnUrl: string,
  now = Date.now(),
): CheckoutAnswer {
  const expiresAt = new Date(now + 45 * 60_000).toISOString();
  return {
    purchase: {
      purchaseId,
      readableEventId: SCENE_EVENT,
      eventName: "Contoso Summit 2027",
      amount: { minor: 9500, currency: "EUR" },
      attendees: [
        { name: "Ada Lovelace", passName: "Full conference", amountMinor: 4000 },
        { name: "Grace Hopper", passName: "Full conference", amountMinor: 4000 },
        { name: "Alan Turing", passName: "Day ticket", amountMinor: 1500 },
      ],
      expiresAt,
      deadlineAt: new Date(now + 50 * 60_000).toISOString(),
    },
    payment: {
      provider: "stripe",
      redirectUrl: `${base}/provider/pay?purchaseId=${purchaseId}&returnUrl=${encodeURIComponent(returnUrl)}`,
      expiresAt,
    },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const notFound = { error: { code: "PURCHASE_NOT_FOUND", message: "No such purchase." } };

export async function startStubEndpoint(): Promise<StubEndpoint> {
  const scenes = new Map<string, Scene>();
  const polls = new Map<string, number>();
  const checkouts: Array<Record<string, unknown>> = [];
  let base = "";
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", base);
    const cors = {
      "Access-Control-Allow-Origin": String(req.headers.origin ?? "*"),
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      "Access-Control-Allow-Headers": "content-type, accept",
      Vary: "Origin",
    };
    if (req.method === "OPTIONS") return void res.writeHead(204, cors).end();
    if (req.method === "POST" && url.pathname === "/v1/checkout") {
      const body = await readJson(req);
      checkouts.push(body);
      const scene = scenes.get(String(body.purchaseId));
      if (!scene) return send(res, 404, notFound, cors);
      if (scene.checkout !== "order")
        return send(
          res,
          scene.checkout.status,
          { error: { code: scene.checkout.code, message: "Scene." } },
          cors,
        );
      return send(res, 200, sceneOrder(String(body.purchaseId), base, String(body.returnUrl)), cors);
    }
    if (req.method === "GET" && url.pathname === "/provider/pay") {
      const back = new URL(url.searchParams.get("returnUrl") ?? "");
      back.searchParams.set("gatewayReturn", "success");
      return void res.writeHead(302, { Location: back.href }).end();
    }
    const id = /^\/v1\/purchases\/([^/]+)\/status$/.exec(url.pathname)?.[1];
    if (req.method === "GET" && id) {
      const scene = scenes.get(id);
      if (!scene?.statuses?.length) return send(res, 404, notFound, cors);
      const n = polls.get(id) ?? 0;
      polls.set(id, n + 1);
      const status = scene.statuses[Math.min(n, scene.statuses.length - 1)]!;
      const answer: StatusAnswer = { status, readableEventId: SCENE_EVENT };
      if (["refund_pending", "refunded", "failed"].includes(status)) answer.reason = scene.reason ?? null;
      return send(res, 200, answer, cors);
    }
    send(res, 404, { error: { code: "NOT_FOUND", message: "Unknown route." } }, cors);
  };
  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    scenes,
    checkouts,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
