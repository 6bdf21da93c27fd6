// The sandbox's data folder as admins meet it: one sandbox per folder (a lock with the owner's pid;
// stale locks taken over), the env file that lets doctor/assign/reconcile run against the running
// sandbox, events seeded a month ahead of the sandbox clock, and a kept clock offset said at start.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv, promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_FILE, lockDataFolder } from "../../sandbox/data-folder-lock";
import { seedEventDates } from "../../sandbox/dataverse/seed-data";
import { createSandboxClock, describeOffset } from "../../sandbox/sandbox-clock";
import { startSandbox, type Sandbox } from "../../sandbox/start-sandbox";
import { createSandboxSiteBuilder } from "../../scripts/start";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const tsx = `${repoRoot}node_modules/.bin/tsx`;
const run = promisify(execFile);
const DAY = 86_400_000;

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

describe("the data folder lock", () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "epg-lock-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a second holder, naming the owner's pid and --data-dir; release lets the next one in", () => {
    const lines: string[] = [];
    const lock = lockDataFolder(dir, (l) => lines.push(l));
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    expect(() => lockDataFolder(dir, () => undefined)).toThrow(
      expect.objectContaining({
        code: "DATA_FOLDER_IN_USE",
        message: expect.stringMatching(new RegExp(`pid ${process.pid}.*--data-dir`)),
      }),
    );
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataFolder(dir, () => undefined).release();
    expect(lines).toEqual([]);
  });

  it("takes over a lock whose process is gone, and an unreadable one, saying so", () => {
    for (const content of [
      JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: "2026-01-01T00:00:00Z" }),
      "not json",
    ]) {
      writeFileSync(join(dir, LOCK_FILE), content);
      const lines: string[] = [];
      const lock = lockDataFolder(dir, (l) => lines.push(l));
      expect(lines.join("\n")).toMatch(/removing a stale lock/);
      expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid).toBe(
        process.pid,
      );
      lock.release();
    }
  });

  it("keeps a lock held by a live process (the parent of this one)", () => {
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: "x" }),
    );
    expect(() => lockDataFolder(dir, () => undefined)).toThrow(/Another sandbox \(pid \d+/);
    rmSync(join(dir, LOCK_FILE));
  });
});

describe("seeded event dates and the clock offset", () => {
  it("puts the paid event 30 days and the free one 31 days after now, at fixed UTC hours", () => {
    const now = Date.parse("2027-03-10T15:30:00Z");
    expect(seedEventDates(now)).toEqual({ paid: "2027-04-09T09:00:00Z", free: "2027-04-10T18:00:00Z" });
  });

  it("describes an offset for people", () => {
    expect(describeOffset(45 * 60_000)).toBe("45 min");
    expect(describeOffset(2 * DAY + 3_600_000)).toBe("2 d 1 h");
    expect(describeOffset(0)).toBe("0 min");
  });
});

describe("a running sandbox: the lock, the env file, the admin commands through it", () => {
  const buildSite = createSandboxSiteBuilder();
  let dataDir: string;
  let sandbox: Sandbox;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "epg-sandbox-folder-"));
    // A clock kept from an "earlier run", 40 days ahead: the seed must still land in the future.
    createSandboxClock({ file: join(dataDir, "clock.json") }).advance(40 * DAY);
    sandbox = await startSandbox({ dataDir, buildSite, log: (l) => lines.push(l) });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("says at start that the clock continues from an earlier run, and how to reset it", () => {
    expect(lines.join("\n")).toContain(
      "sandbox clock kept from an earlier run: 40 d ahead of real time (--fresh resets it)",
    );
  });

  it("seeds the events a month ahead of the sandbox clock", () => {
    const event = sandbox.dataverse.state.get("msevtmgt_events", sandbox.seed.paidEvent.id);
    const start = Date.parse(String(event?.["msevtmgt_eventstartdate"]));
    expect(start).toBeGreaterThan(sandbox.clock.now());
    expect(start - sandbox.clock.now()).toBeLessThan(31 * DAY);
  });

  it("refuses a second sandbox on the same folder and leaves the first one working", async () => {
    await expect(startSandbox({ dataDir, buildSite, fresh: true })).rejects.toMatchObject({
      code: "DATA_FOLDER_IN_USE",
    });
    expect(existsSync(join(dataDir, "endpoint.sqlite"))).toBe(true);
    expect((await fetch(`${sandbox.urls.endpoint}/healthz`)).status).toBe(200);
  }, 60_000);

  it("writes the endpoint's environment to sandbox.env, owner-only, and never logs its secrets", () => {
    expect(sandbox.envFile).toBe(join(dataDir, "sandbox.env"));
    expect(statSync(sandbox.envFile).mode & 0o777).toBe(0o600);
    const env = parseEnv(readFileSync(sandbox.envFile, "utf8"));
    expect(env).toMatchObject({
      DATAVERSE_URL: sandbox.dataverse.url,
      DATAVERSE_CLIENT_ID: sandbox.dataverse.clientId,
      STORE_URL: `sqlite:${join(dataDir, "endpoint.sqlite")}`,
    });
    for (const key of ["DATAVERSE_CLIENT_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRETS"]) {
      expect(env[key]?.length).toBeGreaterThan(10);
      expect(lines.join("\n")).not.toContain(env[key]);
    }
  });

  it("doctor, assign and reconcile run against it through --env-file", async () => {
    const opts = { cwd: repoRoot, encoding: "utf8" as const, env: { ...process.env, DATAVERSE_URL: "" } };
    // The sandbox's clock runs 40 days ahead here, so doctor's clock-skew check fails (exit 1), as it should.
    const doctor = await run(
      tsx,
      ["scripts/doctor.ts", "--env-file", sandbox.envFile, "--endpoint-url", sandbox.urls.endpoint, "--json"],
      opts,
    ).catch((error: { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code }));
    const checks = JSON.parse(doctor.stdout) as Array<{ check: string; status: string }>;
    expect(checks.filter((c) => c.status === "fail").map((c) => c.check)).toEqual(["Clock skew"]);
    expect(checks.filter((c) => c.status === "pass").map((c) => c.check)).toEqual(
      expect.arrayContaining(["Dataverse sign-in", "Endpoint reachable", "Gateway web page"]),
    );

    const assign = await run(
      tsx,
      [
        "scripts/assign.ts",
        "--env-file",
        sandbox.envFile,
        "--event",
        sandbox.seed.paidEvent.readableEventId,
        "--json",
      ],
      opts,
    );
    const report = JSON.parse(assign.stdout) as { assigned: Array<{ readableEventId: string }> };
    expect(report.assigned.map((e) => e.readableEventId)).toEqual([sandbox.seed.paidEvent.readableEventId]);

    const storeOnly = await run(
      tsx,
      ["scripts/reconcile.ts", "--env-file", sandbox.envFile, "--store-only", "--json"],
      opts,
    );
    expect(storeOnly.stderr).toContain(`reading sqlite:${join(dataDir, "endpoint.sqlite")}`);
    expect(JSON.parse(storeOnly.stdout)).toHaveProperty("deadLetters");
    // The three-way report: the sandbox's Stripe stand-in, its store and its Dataverse; nothing paid yet.
    const threeWay = await run(tsx, ["scripts/reconcile.ts", "--env-file", sandbox.envFile, "--json"], opts);
    expect(JSON.parse(threeWay.stdout)).toMatchObject({ allSettled: true });
  }, 120_000);

  it("after close, the lock is gone and the folder can be started again", async () => {
    await sandbox.close();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    sandbox = await startSandbox({ dataDir, buildSite, fresh: true });
    expect(sandbox.clock.offsetMs()).toBe(0);
  }, 120_000);
});
