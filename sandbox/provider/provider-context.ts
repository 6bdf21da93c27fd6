// What every operation of the stand-in works with: the store, the clock, the public base URL, and
// `emitEvent`, which records an event and hands it to the webhook dispatcher once the surrounding
// transaction has committed.
import { createId } from "./ids";
import type { EventObject } from "./objects";
import type { DeliveryState, ProviderStore } from "./provider-store";

export interface RequestInfo {
  requestId: string | null;
  idempotencyKey: string | null;
  apiVersion: string | null;
}

export interface ProviderContext {
  readonly store: ProviderStore;
  /** Epoch seconds on the stand-in's clock. */
  nowSeconds(): number;
  /** e.g. http://127.0.0.1:PORT, used to build hosted page URLs. */
  baseUrl(): string;
  emitEvent(
    type: string,
    object: unknown,
    options?: { previous?: Record<string, unknown>; request?: RequestInfo | null },
  ): EventObject;
  /** Runs `fn` in one SQLite transaction; events emitted inside go out only if it commits. */
  atomically<T>(fn: () => T): T;
}

export function createProviderContext(options: {
  store: ProviderStore;
  nowSeconds: () => number;
  baseUrl: () => string;
  defaultApiVersion: string;
  /** Whether an event of this type will be sent (a webhook URL is set and the type is enabled). */
  willDeliver: (type: string) => boolean;
  /** Called with each committed event, in order. */
  onEvent: (event: EventObject) => void;
}): ProviderContext {
  let queued: EventObject[] = [];
  let depth = 0;

  const context: ProviderContext = {
    store: options.store,
    nowSeconds: options.nowSeconds,
    baseUrl: options.baseUrl,
    emitEvent(type, object, emitOptions = {}) {
      const event: EventObject = {
        id: createId("evt"),
        object: "event",
        // Like a webhook endpoint pinned to one version: every event is rendered in the same one.
        api_version: options.defaultApiVersion,
        created: options.nowSeconds(),
        data: {
          object: structuredClone(object),
          ...(emitOptions.previous === undefined ? {} : { previous_attributes: emitOptions.previous }),
        },
        livemode: false,
        pending_webhooks: 0,
        request: {
          id: emitOptions.request?.requestId ?? null,
          idempotency_key: emitOptions.request?.idempotencyKey ?? null,
        },
        type,
      };
      const delivery: DeliveryState = options.willDeliver(type) ? "pending" : "none";
      event.pending_webhooks = delivery === "pending" ? 1 : 0;
      options.store.insertEvent(event, delivery);
      if (depth === 0) options.onEvent(event);
      else queued.push(event);
      return event;
    },
    atomically<T>(fn: () => T): T {
      depth += 1;
      let result: T;
      try {
        result = depth === 1 ? options.store.transaction(fn) : fn();
      } catch (error) {
        depth -= 1;
        if (depth === 0) queued = [];
        throw error;
      }
      depth -= 1;
      if (depth === 0) {
        const committed = queued;
        queued = [];
        for (const event of committed) options.onEvent(event);
      }
      return result;
    },
  };
  return context;
}
