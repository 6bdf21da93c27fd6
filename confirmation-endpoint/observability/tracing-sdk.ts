// Tracing on: the OpenTelemetry SDK, imported only when an exporter is configured (tracing.ts).
// Spans go over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT), to Application Insights through
// @azure/monitor-opentelemetry (APPLICATIONINSIGHTS_CONNECTION_STRING), or both. The span in
// progress is tracked with the endpoint's own AsyncLocalStorage rather than a global context
// manager, so several endpoints in one process (tests, the sandbox) keep their spans apart.
// The packages are imported dynamically, so that a bundle of the endpoint (which inlines this file)
// still loads none of them while tracing is off.

import { AsyncLocalStorage } from "node:async_hooks";
import type * as OpenTelemetryApi from "@opentelemetry/api";
import type { Context, Span, SpanKind, Tracer } from "@opentelemetry/api";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { purchaseTraceIds } from "./purchase-trace";
import type { TracingSettings } from "./read-observability-env";
import type { SpanHandle, SpanOptions, Traced, Tracing, TracingOptions } from "./tracing";

const TRACER_NAME = "event-portal-gateway";

type Api = typeof OpenTelemetryApi;

const kindOf = (api: Api, kind: SpanOptions["kind"]): SpanKind =>
  ({
    server: api.SpanKind.SERVER,
    client: api.SpanKind.CLIENT,
    consumer: api.SpanKind.CONSUMER,
    internal: api.SpanKind.INTERNAL,
  })[kind ?? "internal"];

/** The error's stable code (a kit code, a Dataverse code, a Node code) or its class name; never its message. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.name : "unknown";
}

function parentOf(api: Api, purchaseId: string | null | undefined): Context {
  if (!purchaseId) return api.ROOT_CONTEXT;
  const { traceId, parentSpanId } = purchaseTraceIds(purchaseId);
  return api.trace.setSpanContext(api.ROOT_CONTEXT, {
    traceId,
    spanId: parentSpanId,
    traceFlags: api.TraceFlags.SAMPLED,
    isRemote: true,
  });
}

async function buildTracer(
  api: Api,
  settings: TracingSettings,
  options: TracingOptions,
): Promise<{ tracer: Tracer; shutdown: () => Promise<void> }> {
  const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } =
    await import("@opentelemetry/sdk-trace-base");
  const { resourceFromAttributes } = await import("@opentelemetry/resources");
  const processors: SpanProcessor[] = [];
  if (options.exporter !== undefined)
    processors.push(new SimpleSpanProcessor(options.exporter as SpanExporter));
  if (settings.otlpTracesUrl !== null) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.otlpTracesUrl })));
  }
  const resource = resourceFromAttributes({
    "service.name": settings.serviceName,
    "gateway.deployment_id": options.deploymentId,
  });
  if (settings.appInsightsConnectionString !== null) {
    // The distro owns the process-wide tracer provider; its automatic instrumentations stay off, so
    // the spans are the ones below (and no incoming request or SQL statement becomes a trace of its own).
    const { useAzureMonitor, shutdownAzureMonitor } = await import("@azure/monitor-opentelemetry");
    const off = { enabled: false };
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: settings.appInsightsConnectionString },
      resource,
      spanProcessors: processors,
      samplingRatio: 1,
      tracesPerSecond: 0,
      enableLiveMetrics: false,
      enableStandardMetrics: false,
      enablePerformanceCounters: false,
      instrumentationOptions: {
        http: off,
        azureSdk: off,
        mongoDb: off,
        mySql: off,
        postgreSql: off,
        redis: off,
        redis4: off,
        bunyan: off,
        winston: off,
      },
    });
    return { tracer: api.trace.getTracer(TRACER_NAME), shutdown: shutdownAzureMonitor };
  }
  const provider = new BasicTracerProvider({ resource, spanProcessors: processors });
  return { tracer: provider.getTracer(TRACER_NAME), shutdown: () => provider.shutdown() };
}

export async function startSdkTracing(settings: TracingSettings, options: TracingOptions): Promise<Tracing> {
  const api = await import("@opentelemetry/api");
  const { tracer, shutdown } = await buildTracer(api, settings, options);
  const inProgress = new AsyncLocalStorage<Span>();

  const run = async <T>(span: Span, fn: (handle: SpanHandle) => Promise<T>): Promise<T> => {
    const handle: SpanHandle = { setAttributes: (attributes) => void span.setAttributes(attributes) };
    try {
      return await inProgress.run(span, () => fn(handle));
    } catch (error) {
      const type = errorType(error);
      span.setAttribute("error.type", type);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
      throw error;
    } finally {
      span.end();
    }
  };
  const start = (name: string, options: SpanOptions, parent: Context): Span =>
    tracer.startSpan(
      name,
      {
        kind: kindOf(api, options.kind),
        ...(options.attributes ? { attributes: options.attributes } : {}),
        ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
      },
      parent,
    );

  const root: Traced = (name, options, fn) => {
    const attributes = options.purchaseId
      ? { ...options.attributes, "purchase.id": options.purchaseId }
      : options.attributes;
    return run(
      start(name, { ...options, ...(attributes ? { attributes } : {}) }, parentOf(api, options.purchaseId)),
      fn,
    );
  };
  const child: Traced = (name, options, fn) => {
    const parent = inProgress.getStore();
    if (!parent?.isRecording()) return fn({ setAttributes() {} });
    return run(start(name, options, api.trace.setSpan(api.ROOT_CONTEXT, parent)), fn);
  };
  const current = () => {
    const span = inProgress.getStore();
    if (!span?.isRecording()) return null;
    const { traceId, spanId } = span.spanContext();
    return { traceId, spanId };
  };
  return { enabled: true, root, child, current, shutdown };
}
