// The sandbox's own pages on the portal's origin: /sandbox/status (HTML), /sandbox/status.json and
// /sandbox/clock (GET the sandbox time; POST {"advanceMinutes": n} moves every part's clock at once).
import { readTextBody } from "./read-text-body";
import type { SandboxClock } from "./sandbox-clock";
import type { SiteRoutes } from "./site-routes";
import { renderStatusPage, type SandboxStatus, type StatusLinks } from "./status-page";

export interface SandboxPageDeps {
  clock: SandboxClock;
  /** Moves every part's clock forward by `ms`. */
  advance(ms: number): void;
  status(): Promise<SandboxStatus>;
  /** Links the status page shows, known once everything runs. */
  statusLinks(): StatusLinks;
}

const STATUS_PATHS = ["/sandbox/status", "/sandbox/status.json"];
const MAX_MINUTES = 7 * 24 * 60;

/** What is wrong with a clock request, or null after moving the clock. */
async function applyClockRequest(request: Request, deps: SandboxPageDeps): Promise<string | null> {
  if (request.method === "GET") return null;
  if (request.method !== "POST") return "Use GET to read the sandbox time or POST to move it forward.";
  // A JSON content type cannot come from another site's form, so a web page cannot move the clock.
  if (!(request.headers.get("content-type") ?? "").startsWith("application/json"))
    return "Send the body with Content-Type: application/json.";
  const body = await readTextBody(request, 4096);
  let minutes: unknown;
  try {
    minutes = (JSON.parse(body ?? "") as { advanceMinutes?: unknown }).advanceMinutes;
  } catch {
    minutes = undefined;
  }
  if (typeof minutes !== "number" || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_MINUTES)
    return 'Send JSON {"advanceMinutes": <minutes, more than 0 and at most a week>}; the clock only moves forward.';
  deps.advance(minutes * 60_000);
  return null;
}

async function answerClock(request: Request, deps: SandboxPageDeps): Promise<Response> {
  const problem = await applyClockRequest(request, deps);
  const { clock } = deps;
  const body =
    problem === null
      ? { now: new Date(clock.now()).toISOString(), offsetMinutes: clock.offsetMs() / 60_000 }
      : { error: { code: "INVALID_CLOCK_REQUEST", message: problem } };
  return new Response(JSON.stringify(body), {
    status: problem === null ? 200 : 400,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export function createSandboxPageRoutes(deps: SandboxPageDeps): SiteRoutes {
  return {
    claims: ({ pathname }) => pathname === "/sandbox/clock" || STATUS_PATHS.includes(pathname),
    async handle(request) {
      const path = new URL(request.url).pathname;
      if (path === "/sandbox/clock") return answerClock(request, deps);
      const current = await deps.status();
      const json = path.endsWith(".json");
      return new Response(
        json ? JSON.stringify(current, null, 2) : renderStatusPage(current, deps.statusLinks()),
        {
          status: 200,
          headers: {
            "Content-Type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
            "Cache-Control": "no-store",
          },
        },
      );
    },
  };
}
