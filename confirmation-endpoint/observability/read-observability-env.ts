// The environment of logs and traces: LOG_LEVEL, LOG_FORMAT, and where traces go (OTLP, Application
// Insights, or nowhere). Read with the rest of the endpoint's configuration (config.ts); a problem
// names the variable, never its value.

import { readText } from "../env-checks";
import type { Env } from "../env-checks";
import { LOG_LEVELS } from "../logger";
import type { LogLevel } from "../logger";

export interface TracingSettings {
  /** service.name on every span (OTEL_SERVICE_NAME, default event-portal-gateway). */
  serviceName: string;
  /** Where spans are posted over OTLP/HTTP; null: no OTLP export. */
  otlpTracesUrl: string | null;
  /** Application Insights (through @azure/monitor-opentelemetry); null: not used. */
  appInsightsConnectionString: string | null;
}

export interface ObservabilityConfig {
  logLevel: LogLevel;
  logFormat: "json" | "pretty";
  tracing: TracingSettings;
}

export const DEFAULT_OBSERVABILITY: ObservabilityConfig = {
  logLevel: "info",
  logFormat: "json",
  tracing: { serviceName: "event-portal-gateway", otlpTracesUrl: null, appInsightsConnectionString: null },
};

/** Tracing is on when at least one exporter is configured. */
export function tracingEnabled(settings: TracingSettings): boolean {
  return settings.otlpTracesUrl !== null || settings.appInsightsConnectionString !== null;
}

/**
 * OTLP as the OpenTelemetry variables name it: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the full URL;
 * OTEL_EXPORTER_OTLP_ENDPOINT is a base that gets /v1/traces.
 */
function readOtlpUrl(env: Env, problems: string[]): string | null {
  const full = readText(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const base = readText(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const [name, url] = full
    ? ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", full]
    : base
      ? ["OTEL_EXPORTER_OTLP_ENDPOINT", `${base.replace(/\/+$/, "")}/v1/traces`]
      : [null, null];
  if (name === null || url === null) return null;
  // http is allowed anywhere: a collector is usually a sidecar or a service in the same network.
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    problems.push(`${name}: is not an http(s) URL (e.g. http://localhost:4318)`);
    return null;
  }
  if (parsed.username || parsed.password) {
    problems.push(`${name}: must not carry a user name or password; use OTEL_EXPORTER_OTLP_HEADERS`);
    return null;
  }
  return url;
}

export function readObservabilityEnv(env: Env, problems: string[]): ObservabilityConfig {
  const level = (readText(env, "LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(", ")}`);
  }
  const format = (readText(env, "LOG_FORMAT") ?? "json").toLowerCase();
  if (format !== "json" && format !== "pretty") problems.push('LOG_FORMAT: must be "json" or "pretty"');
  const connection = readText(env, "APPLICATIONINSIGHTS_CONNECTION_STRING") ?? null;
  if (connection !== null && !/InstrumentationKey=/i.test(connection)) {
    problems.push(
      "APPLICATIONINSIGHTS_CONNECTION_STRING: is not a connection string (copy it from the Application Insights resource's Overview page)",
    );
  }
  return {
    logLevel: LOG_LEVELS.includes(level as LogLevel) ? (level as LogLevel) : "info",
    logFormat: format === "pretty" ? "pretty" : "json",
    tracing: {
      serviceName: readText(env, "OTEL_SERVICE_NAME") ?? DEFAULT_OBSERVABILITY.tracing.serviceName,
      otlpTracesUrl: readOtlpUrl(env, problems),
      appInsightsConnectionString: connection,
    },
  };
}
