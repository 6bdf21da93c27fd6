// The kit's record definitions (portal-templates/definitions.yml), optionally overridden by a config
// file and by command-line options. One zod schema validates the result and reports every problem.

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { BuildError } from "./errors";
import { checkPartialUrl } from "./partial-url";
import { NAME_MAX, TEXT_MAX, TITLE_MAX } from "./record-limits";

const NAME = z.string().trim().min(1).max(NAME_MAX);

/** A path on the portal itself: one leading `/`, no scheme or host, nothing to break an attribute. */
const SITE_PATH = z
  .string()
  .max(200)
  .regex(
    /^\/(?!\/)[A-Za-z0-9_./-]*$/,
    "must be a path on the portal such as /event (letters, digits, _ . / -)",
  );

const siteSettingSchema = z.strictObject({
  name: NAME,
  description: z.string().max(2000).optional(),
  value: z.string().max(4000).default(""),
});

const definitionsSchema = z
  .strictObject({
    template: z.string().min(1),
    webTemplate: z.strictObject({ name: NAME }),
    pageTemplate: z.strictObject({
      name: NAME,
      description: z.string().max(2000).optional(),
      useWebsiteHeaderAndFooter: z.boolean(),
    }),
    webPage: z.strictObject({
      name: NAME,
      partialUrl: z.string().superRefine((value, ctx) => {
        const problem = checkPartialUrl(value);
        if (problem) ctx.addIssue({ code: "custom", message: `partial URL "${value}" ${problem}` });
      }),
      title: z.string().min(1).max(TITLE_MAX),
      titles: z.record(z.string(), z.string().min(1).max(TITLE_MAX)).default({}),
      displayOrder: z.number().int().min(0).optional(),
      hiddenFromSitemap: z.boolean(),
      excludeFromSearch: z.boolean(),
      copy: z.record(z.string(), z.string().max(TEXT_MAX)).default({}),
    }),
    eventPortal: z.strictObject({ eventPath: SITE_PATH, confirmationPath: SITE_PATH }),
    siteSettings: z.record(
      z.string().regex(/^[a-z][a-z0-9_]*$/, "slot keys use lower-case letters, digits and _"),
      siteSettingSchema,
    ),
  })
  .superRefine((defs, ctx) => {
    const endpoint = defs.siteSettings.endpoint_url?.value ?? "";
    if (endpoint !== "" && !isHttpUrl(endpoint)) {
      ctx.addIssue({
        code: "custom",
        path: ["siteSettings", "endpoint_url", "value"],
        // The value is not repeated: a secret pasted here by mistake must not reach the terminal.
        message: `the endpoint URL is not an absolute http(s) URL (example: https://pay.contoso.com)`,
      });
    }
  });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

export type Definitions = z.infer<typeof definitionsSchema>;

/** Overrides from the command line; each wins over the definitions file and the config file. */
export interface DefinitionOverrides {
  name?: string;
  partialUrl?: string;
  endpointUrl?: string;
}

export interface LoadedDefinitions {
  definitions: Definitions;
  /** Absolute path of the web template source. */
  templatePath: string;
  /** Setting slot keys whose value was given explicitly (config file or option), so it replaces a value already in the site. */
  explicitSettingValues: Set<string>;
}

/**
 * Reads the definitions file, merges the optional config file (JSON or YAML, same shape, any subset)
 * and the overrides, and validates the result.
 */
export function loadDefinitions(
  definitionsFile: string,
  configFile?: string,
  overrides: DefinitionOverrides = {},
): LoadedDefinitions {
  const base = readStructured(definitionsFile, "DEFINITIONS_INVALID");
  let merged = base;
  const explicitSettingValues = new Set<string>();
  let templateBase = dirname(resolve(definitionsFile));
  if (configFile !== undefined) {
    const config = readStructured(configFile, "CONFIG_UNREADABLE");
    merged = deepMerge(base, config);
    for (const [key, setting] of Object.entries(asObject(asObject(config).siteSettings))) {
      if ("value" in asObject(setting)) explicitSettingValues.add(key);
    }
    if (typeof asObject(config).template === "string") templateBase = dirname(resolve(configFile));
  }
  const withOverrides = asObject(structuredClone(merged));
  const webPage = asObject(withOverrides.webPage);
  if (overrides.name !== undefined) {
    webPage.name = overrides.name;
    asObject(withOverrides.webTemplate).name = overrides.name;
    asObject(withOverrides.pageTemplate).name = overrides.name;
  }
  if (overrides.partialUrl !== undefined) webPage.partialUrl = overrides.partialUrl;
  if (overrides.endpointUrl !== undefined) {
    const settings = asObject(withOverrides.siteSettings);
    settings.endpoint_url = { ...asObject(settings.endpoint_url), value: overrides.endpointUrl };
    explicitSettingValues.add("endpoint_url");
  }
  const result = definitionsSchema.safeParse(withOverrides);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  - ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    const code =
      overrides.partialUrl !== undefined &&
      result.error.issues.some((i) => i.path.join(".") === "webPage.partialUrl")
        ? "PARTIAL_URL_INVALID"
        : "DEFINITIONS_INVALID";
    throw new BuildError(
      code,
      `The record definitions are invalid (${configFile ? `${definitionsFile} + ${configFile}` : definitionsFile}, with the command-line options):\n${problems.join("\n")}\nFix the values named above.`,
      { file: configFile ?? definitionsFile },
    );
  }
  return {
    definitions: result.data,
    templatePath: resolve(templateBase, result.data.template),
    explicitSettingValues,
  };
}

function readStructured(
  file: string,
  code: "DEFINITIONS_INVALID" | "CONFIG_UNREADABLE",
): Record<string, unknown> {
  if (!existsSync(file)) {
    throw new BuildError(code, `${file}: no such file. Pass an existing JSON or YAML file.`, { file });
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new BuildError(code, `${file}: not valid JSON or YAML (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new BuildError(
      code,
      `${file}: expected a map at the top (the shape of portal-templates/definitions.yml).`,
      { file },
    );
  }
  return doc as Record<string, unknown>;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      typeof current === "object" &&
      current !== null &&
      !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}
