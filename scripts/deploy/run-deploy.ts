// The deploy sequence: sign pac in with a profile of our own, find the environment, download the
// target site, overlay the kit's records, upload, sign out of that profile (only that one), clear
// the portal cache, and check that the gateway page answers. Every dependency is passed in so the
// tests can run it against a fake pac and local servers.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import {
  authCreateCommand,
  authDeleteCommand,
  downloadCommand,
  orgWhoCommand,
  parseEnvironmentId,
  uploadCommand,
  type PacCredentials,
  type SecretHandling,
} from "../pac/commands";
import { PacError, suggestFix } from "../pac/errors";
import type { PacRunner } from "../pac/runner";
import { StepError, type StepRunner } from "../lib/progress";
import {
  createFixedHost,
  downloadParameters,
  toWrapperCredentials,
  uploadParameters,
  type WrapperModule,
  type WrapperRunnerParameters,
} from "../pac/wrapper";

export interface DeployOptions {
  environmentUrl: string;
  websiteId: string;
  modelVersion: "1" | "2";
  deploymentProfile?: string | undefined;
  credentials: PacCredentials;
  secretHandling: SecretHandling;
  cloud: string;
  profileName: string;
  /** https://<portal host>, for the cache clear and the page check; optional. */
  portalUrl?: string | undefined;
  dryRun: boolean;
  /** Keep the downloaded folder (for inspection) instead of deleting it. */
  keepWorkdir?: boolean;
}

export interface OverlayResult {
  /** Files the overlay wrote, relative to the site folder. */
  changed: string[];
  /** The gateway page's path on the portal, e.g. /payment-gateway/. */
  pagePath: string;
}

export interface DeployDeps {
  pac: PacRunner;
  step: StepRunner;
  overlay(siteDir: string): Promise<OverlayResult>;
  /** Lists what the overlay would write, without a download (for --dry-run). */
  planOverlay(): Promise<{ files: string[]; pagePath: string }>;
  clearCache(input: { environmentId: string | null; portalUrl: string | undefined }): Promise<string>;
  checkPage(url: string): Promise<number>;
  out(line: string): void;
  /** @microsoft/powerplatform-cli-wrapper, when installed: it runs download and upload instead. */
  wrapper?: { module: WrapperModule; runner: WrapperRunnerParameters } | null;
}

export interface DeploySummary {
  dryRun: boolean;
  changed: string[];
  pageUrl: string | null;
  cache: string | null;
  pageStatus: number | null;
  /** A dry run's plan: the steps in order and the files the overlay writes (empty: nothing to write). */
  plan?: { steps: string[]; files: string[] };
}

async function findSiteFolder(root: string): Promise<string> {
  if (existsSync(join(root, "website.yml"))) return root;
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(root, entry.name, "website.yml")))
      return join(root, entry.name);
  }
  throw new Error(
    `pac downloaded no website.yml under ${root}: the website id may belong to another environment.`,
  );
}

function formatCommand(args: readonly string[]): string {
  return `pac ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`;
}

async function pacStep<T>(
  deps: DeployDeps,
  label: string,
  stepName: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await deps.step(label, work);
  } catch (error) {
    const output = error instanceof PacError ? error.output : [];
    throw new StepError(stepName, suggestFix(stepName, output), { cause: error });
  }
}

export async function runDeploy(options: DeployOptions, deps: DeployDeps): Promise<DeploySummary> {
  const auth = authCreateCommand({
    environmentUrl: options.environmentUrl,
    credentials: options.credentials,
    profileName: options.profileName,
    cloud: options.cloud,
    secretHandling: options.secretHandling,
  });

  if (options.dryRun) {
    const plan = await deps.planOverlay();
    const lines: string[] = [];
    const steps = [
      auth.args,
      orgWhoCommand(),
      downloadCommand({
        path: "<temporary-folder>",
        websiteId: options.websiteId,
        modelVersion: options.modelVersion,
      }),
      ["# overlay the kit's records into the downloaded site folder"],
      uploadCommand({
        path: "<site-folder>",
        deploymentProfile: options.deploymentProfile,
        modelVersion: options.modelVersion,
      }),
      authDeleteCommand(options.profileName),
    ];
    for (const args of steps) lines.push(args[0]?.startsWith("#") ? args[0].slice(2) : formatCommand(args));
    lines.push(`clear the portal cache${options.portalUrl ? ` of ${options.portalUrl}` : ""}`);
    if (options.portalUrl) lines.push(`check ${new URL(plan.pagePath, options.portalUrl).href} answers`);
    deps.out("Plan (dry run: nothing remote is touched):");
    lines.forEach((line, i) => deps.out(`  ${i + 1}. ${line}`));
    if (plan.files.length === 0)
      deps.out("Nothing to write: the site folder already holds the kit's records as they are.");
    else {
      deps.out("Files the overlay writes into the site folder:");
      for (const file of plan.files) deps.out(`  ${file}`);
    }
    return {
      dryRun: true,
      changed: [],
      pageUrl: null,
      cache: null,
      pageStatus: null,
      plan: { steps: lines, files: plan.files },
    };
  }

  const workdir = await mkdtemp(join(tmpdir(), "epg-deploy-"));
  const downloadRoot = join(workdir, "download");
  const wrapperCredentials = deps.wrapper ? toWrapperCredentials(options.credentials, options.cloud) : null;
  let overlay: OverlayResult;
  let environmentId: string | null = null;
  try {
    if (deps.wrapper && wrapperCredentials) {
      overlay = await deployThroughWrapper(options, deps, deps.wrapper, wrapperCredentials, {
        workdir,
        downloadRoot,
      });
    } else {
      const result = await deployThroughPac(options, deps, auth, downloadRoot);
      overlay = result.overlay;
      environmentId = result.environmentId;
    }
  } finally {
    if (!options.keepWorkdir) await rm(workdir, { recursive: true, force: true });
  }

  const cache = await deps.step("clear the portal cache", () =>
    deps.clearCache({ environmentId, portalUrl: options.portalUrl }),
  );
  let pageUrl: string | null = null;
  let pageStatus: number | null = null;
  if (options.portalUrl) {
    pageUrl = new URL(overlay.pagePath, options.portalUrl).href;
    const url = pageUrl;
    pageStatus = await deps.step(`check ${url}`, () => deps.checkPage(url));
  }
  return { dryRun: false, changed: overlay.changed, pageUrl, cache, pageStatus };
}

async function overlayStep(deps: DeployDeps, siteDir: string): Promise<OverlayResult> {
  return deps
    .step("overlay the kit's records", () => deps.overlay(siteDir))
    .catch((error: unknown) => {
      throw new StepError(
        "overlay",
        "Fix the site folder problem named above, or pass --force if the clash is a previous kit deployment.",
        { cause: error },
      );
    });
}

async function deployThroughPac(
  options: DeployOptions,
  deps: DeployDeps,
  auth: ReturnType<typeof authCreateCommand>,
  downloadRoot: string,
): Promise<{ overlay: OverlayResult; environmentId: string | null }> {
  let signedIn = false;
  try {
    await pacStep(deps, "sign in (pac auth create)", "auth", () => deps.pac(auth.args, auth.env));
    signedIn = true;
    const who = await pacStep(deps, "read the environment (pac org who)", "org who", () =>
      deps.pac(orgWhoCommand()),
    );
    await pacStep(deps, "download the site (pac paportal download)", "download", () =>
      deps.pac(
        downloadCommand({
          path: downloadRoot,
          websiteId: options.websiteId,
          modelVersion: options.modelVersion,
        }),
      ),
    );
    const siteDir = await pacStep(deps, "find the site folder", "download", () =>
      findSiteFolder(downloadRoot),
    );
    const overlay = await overlayStep(deps, siteDir);
    await pacStep(deps, "upload the site (pac paportal upload)", "upload", () =>
      deps.pac(
        uploadCommand({
          path: siteDir,
          deploymentProfile: options.deploymentProfile,
          modelVersion: options.modelVersion,
        }),
      ),
    );
    return { overlay, environmentId: parseEnvironmentId(who) };
  } finally {
    if (signedIn) {
      await deps
        .step("sign out (pac auth delete, our profile only)", () =>
          deps.pac(authDeleteCommand(options.profileName)),
        )
        .catch(() => {
          deps.out(
            `Warning: could not delete the pac auth profile "${options.profileName}"; run \`pac auth delete --name ${options.profileName}\`.`,
          );
        });
    }
  }
}

async function deployThroughWrapper(
  options: DeployOptions,
  deps: DeployDeps,
  wrapper: NonNullable<DeployDeps["wrapper"]>,
  credentials: NonNullable<ReturnType<typeof toWrapperCredentials>>,
  dirs: { workdir: string; downloadRoot: string },
): Promise<OverlayResult> {
  const common = { credentials, environmentUrl: options.environmentUrl };
  const inputs = {
    "download-path": dirs.downloadRoot,
    "website-id": options.websiteId,
    overwrite: "true",
    "model-version": options.modelVersion,
    "deployment-profile": options.deploymentProfile,
  };
  await pacStep(deps, "download the site (powerplatform-cli-wrapper)", "download", () =>
    wrapper.module.downloadPaportal(
      downloadParameters(common),
      wrapper.runner,
      createFixedHost(inputs, dirs.workdir),
    ),
  );
  const siteDir = await pacStep(deps, "find the site folder", "download", () =>
    findSiteFolder(dirs.downloadRoot),
  );
  const overlay = await overlayStep(deps, siteDir);
  await pacStep(deps, "upload the site (powerplatform-cli-wrapper)", "upload", () =>
    wrapper.module.uploadPaportal(
      uploadParameters(common),
      wrapper.runner,
      createFixedHost({ ...inputs, "upload-path": siteDir }, dirs.workdir),
    ),
  );
  return overlay;
}

export function describeSummary(summary: DeploySummary): string[] {
  if (summary.dryRun) return [];
  const lines = ["", "Deployed."];
  lines.push(
    `  records written: ${summary.changed.length ? summary.changed.join(", ") : "none (the site already held them, unchanged)"}`,
  );
  if (summary.cache) lines.push(`  cache: ${summary.cache}`);
  if (summary.pageUrl) {
    const ok = summary.pageStatus !== null && summary.pageStatus >= 200 && summary.pageStatus < 400;
    lines.push(
      `  page: ${summary.pageUrl} answered ${summary.pageStatus}${ok ? "" : " (the cache may still hold the old site; it refreshes within 15 minutes)"}`,
    );
  }
  lines.push(
    "Next, for organizers: open each paid event → General → Website → Portal payment gateway, choose this page " +
      "(or run `npm run assign -- --event <readable id>` / `--default`), then clear the cache again.",
  );
  return lines;
}
