// Traces, as the rest of the endpoint sees them: a root span per unit of work (a checkout, a
// webhook, a job), each in its purchase's trace, and child spans for the calls a unit makes (the
// provider, the store, Dataverse). With no exporter configured this file is all that is loaded:
// every span is a direct call of the function it wraps, and no OpenTelemetry module is imported.
// With one, tracing-sdk.ts (and the SDK) is imported once, lazily, at the first span.

import type { TracingSettings } from "./read-observability-env";
import { tracingEnabled } from "./read-observability-env";

/** Attribute values: ids, names of things, outcomes and counts; never personal data or secrets. */
export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanHandle {
  setAttributes(attributes: SpanAttributes): void;
}

export interface SpanOptions {
  /** The purchase this work is for: the span joins that purchase's trace. */
  purchaseId?: string | null;
  kind?: "server" | "client" | "consumer" | "internal";
  attributes?: SpanAttributes;
  /** When the work began, epoch milliseconds (the webhook's span starts before its purchase is known). */
  startTime?: number;
}

export type Traced = <T>(
  name: string,
  options: SpanOptions,
  fn: (span: SpanHandle) => Promise<T>,
) => Promise<T>;

export interface Tracing {
  readonly enabled: boolean;
  /** A unit of work of its own, in the trace of `options.purchaseId` (a fresh trace without one). */
  root: Traced;
  /** A call made inside the unit in progress; outside any unit, `fn` runs without a span. */
  child: Traced;
  /** The ids of the span in progress, for log lines (null outside a span, or tracing off). */
  current(): { traceId: string; spanId: string } | null;
  /** Export what is buffered and stop. */
  shutdown(): Promise<void>;
}

const NO_SPAN: SpanHandle = { setAttributes() {} };
const untraced: Traced = (_name, _options, fn) => fn(NO_SPAN);

/** Tracing off: no span is made, nothing is imported. */
export const NO_TRACING: Tracing = {
  enabled: false,
  root: untraced,
  child: untraced,
  current: () => null,
  shutdown: async () => {},
};

export interface TracingOptions {
  /** This deployment's id, on every span's resource. */
  deploymentId: string;
  /** An extra exporter (an @opentelemetry/sdk-trace-base SpanExporter; tests pass an in-memory one). */
  exporter?: unknown;
  /** Told when the SDK cannot be loaded or started (tracing then stays off). */
  onError?: (error: unknown) => void;
}

/** Load the SDK now and hand back tracing that is ready (tests, and hosts that can wait). */
export async function startTracing(settings: TracingSettings, options: TracingOptions): Promise<Tracing> {
  const sdk = await import("./tracing-sdk");
  return sdk.startSdkTracing(settings, options);
}

/**
 * Tracing for `settings`: NO_TRACING when no exporter is configured; otherwise the SDK starts
 * loading now and the first spans wait for it.
 */
export function createTracing(settings: TracingSettings, options: TracingOptions): Tracing {
  if (!tracingEnabled(settings) && options.exporter === undefined) return NO_TRACING;
  let ready: Tracing | null = null;
  const loading = startTracing(settings, options).then(
    (tracing) => (ready = tracing),
    (error: unknown) => {
      options.onError?.(error);
      return (ready = NO_TRACING);
    },
  );
  const current = async () => ready ?? (await loading);
  return {
    enabled: true,
    root: async (name, spanOptions, fn) => (ready ?? (await current())).root(name, spanOptions, fn),
    child: async (name, spanOptions, fn) => (ready ?? (await current())).child(name, spanOptions, fn),
    current: () => ready?.current() ?? null,
    shutdown: async () => (await current()).shutdown(),
  };
}
