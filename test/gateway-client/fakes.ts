// Fakes for the gateway page tests: a manual clock (time moves only when the test says so) and a
// confirmation endpoint that answers from queued replies and records every request. A request the
// test did not queue a reply for is recorded in `unexpected` and answered with a network failure,
// so a test that forgets to check still fails on the assertion `unexpected` is empty.
import { startGatewayPage } from "../../gateway-client/start-gateway-page";
import type { GatewayPage, GatewayPageOptions } from "../../gateway-client/start-gateway-page";
import type { GatewayConfig } from "../../gateway-client/read-config";
import type { CheckoutAnswer } from "../../confirmation-endpoint/contract/v1";

export const T0 = Date.parse("2026-11-26T16:00:00Z");
export const ENDPOINT = "https://gateway.example.test";
export const PORTAL = "https://events.example.test";
export const PID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
export const RID = "Paid_Event1479011247";

// Node's own macrotask queue (not the fake clock): setImmediate has no 1 ms clamp.
const yieldToNode: (fn: () => void) => void =
  globalThis.setImmediate ?? ((fn) => globalThis.setTimeout(fn, 0));

/** Lets every pending promise chain (fetch → json → render) run to the end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => yieldToNode(resolve));
}

export function createClock(start = T0) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number): number => {
      timers.set(++seq, { at: now + Math.max(0, ms), fn });
      return seq;
    },
    clearTimeout: (id: number): void => void timers.delete(id),
    pending: () => timers.size,
    /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
    async advance(ms: number): Promise<void> {
      const end = now + ms;
      for (;;) {
        await settle();
        let nextId: number | null = null;
        let nextAt = Infinity;
        for (const [id, timer] of timers) {
          if (timer.at <= end && timer.at < nextAt) {
            nextAt = timer.at;
            nextId = id;
          }
        }
        if (nextId === null) break;
        const timer = timers.get(nextId);
        timers.delete(nextId);
        now = nextAt;
        timer?.fn();
      }
      now = end;
      await settle();
    },
  };
}

export type Reply = { status: number; body?: unknown } | "network-error";

export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
  init: RequestInit | undefined;
}

export function createEndpoint() {
  const checkoutReplies: Reply[] = [];
  const statusReplies: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : null;
    requests.push({ method, url, body, init });
    let reply: Reply | undefined;
    if (method === "POST" && url === `${ENDPOINT}/v1/checkout`) reply = checkoutReplies.shift();
    else if (method === "GET" && url.split("?")[0] === `${ENDPOINT}/v1/purchases/${PID}/status`)
      reply = statusReplies.shift();
    if (reply === undefined) {
      unexpected.push(`${method} ${url}`);
      throw new TypeError("Failed to fetch (no reply queued in the fake endpoint)");
    }
    if (reply === "network-error") throw new TypeError("Failed to fetch");
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { "Content-Type": "application/json" },
    });
  };

  return {
    fetch: fetch as typeof globalThis.fetch,
    requests,
    unexpected,
    checkout: (...replies: Reply[]) => void checkoutReplies.push(...replies),
    status: (...replies: Reply[]) => void statusReplies.push(...replies),
    statusOk: (...statuses: string[]) =>
      void statusReplies.push(
        ...statuses.map((status) => ({ status: 200, body: { status, readableEventId: RID } })),
      ),
  };
}

/** A 200 checkout answer in the v1 contract's shape (the type makes the compiler hold it to it). */
export function order(
  overrides: {
    minor?: number;
    currency?: string;
    eventName?: string;
    expiresInMs?: number;
    redirectUrl?: string;
  } = {},
) {
  const expiresAt = new Date(T0 + (overrides.expiresInMs ?? 50 * 60_000)).toISOString();
  const body: CheckoutAnswer = {
    purchase: {
      purchaseId: PID,
      readableEventId: RID,
      eventName: overrides.eventName ?? "Contoso Summit 2027",
      amount: { minor: overrides.minor ?? 2500, currency: overrides.currency ?? "EUR" },
      attendees: [
        { name: "Ada Lovelace", passName: "Full conference", amountMinor: 1250 },
        { name: null, passName: "Workshop day", amountMinor: 1250 },
      ],
      expiresAt,
      deadlineAt: new Date(T0 + 50 * 60_000).toISOString(),
    },
    payment: {
      provider: "stripe",
      redirectUrl: overrides.redirectUrl ?? "https://checkout.stripe.test/c/pay/cs_test_1",
      expiresAt,
    },
  };
  return { status: 200, body };
}

export function errorReply(status: number, code: string) {
  return { status, body: { error: { code, message: `fake ${code}` } } };
}

export interface MountOptions {
  href?: string;
  config?: Partial<GatewayConfig>;
  storage?: Pick<Storage, "getItem"> | null;
  options?: GatewayPageOptions;
}

export function mount(
  endpoint: ReturnType<typeof createEndpoint>,
  clock: ReturnType<typeof createClock>,
  opts: MountOptions = {},
) {
  document.body.replaceChildren();
  const root = document.createElement("div");
  root.id = "epg-root";
  document.body.append(root);
  const navigations: string[] = [];
  const config: GatewayConfig = {
    endpointUrl: ENDPOINT,
    provider: "Stripe",
    supportContact: "help@contoso.example.test",
    userId: "9a1c7e2b-7f5e-4f0e-9d1c-2b3a4c5d6e7f",
    locale: "en-US",
    eventPath: "/event",
    confirmationPath: "/event/confirmation",
    kitVersion: "test",
    ...opts.config,
  };
  const page: GatewayPage = startGatewayPage({
    root,
    config,
    fetch: endpoint.fetch,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    navigate: (url) => void navigations.push(url),
    location: { href: opts.href ?? `${PORTAL}/pay/?id=${RID}&purchaseId=${PID}` },
    sessionStorage: opts.storage ?? null,
    options: opts.options,
  });
  const q = <E extends Element = HTMLElement>(selector: string) => root.querySelector<E>(selector);
  return {
    root,
    page,
    navigations,
    q,
    heading: () => q("h1")?.textContent ?? "",
    live: () => q('[role="status"]')?.textContent ?? "",
    text: () => root.textContent ?? "",
    button: (label: string | RegExp) =>
      [...root.querySelectorAll("button")].find((b) =>
        typeof label === "string" ? b.textContent === label : label.test(b.textContent ?? ""),
      ),
  };
}
