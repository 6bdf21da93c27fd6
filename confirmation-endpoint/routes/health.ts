// Liveness, readiness (the store takes a write, Dataverse token obtainable) and the Prometheus text.

import { errorResponse, jsonResponse } from "../http/responses";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { PaymentStore } from "../store/types";

export function handleHealth(): Response {
  return jsonResponse(200, { status: "ok" });
}

export async function handleReady(deps: {
  store: PaymentStore;
  checkDataverse?: () => Promise<void>;
  logger: Logger;
}): Promise<Response> {
  const checks: Record<string, "ok" | "failed"> = {};
  try {
    await deps.store.ping();
    checks.store = "ok";
  } catch (error) {
    checks.store = "failed";
    deps.logger.log("error", "readiness: store failed", { error });
  }
  if (deps.checkDataverse) {
    try {
      await deps.checkDataverse();
      checks.dataverse = "ok";
    } catch (error) {
      checks.dataverse = "failed";
      deps.logger.log("error", "readiness: dataverse token failed", { error });
    }
  }
  if (Object.values(checks).every((v) => v === "ok")) return jsonResponse(200, { status: "ready", checks });
  return errorResponse(
    503,
    "NOT_READY",
    `Not ready: ${Object.entries(checks)
      .filter(([, v]) => v !== "ok")
      .map(([k]) => k)
      .join(", ")} failing; see the log.`,
  );
}

export async function handleMetrics(metrics: Metrics): Promise<Response> {
  return new Response(await metrics.render(), {
    status: 200,
    headers: { "content-type": metrics.contentType },
  });
}
