// Builds a liquidjs instance that behaves like the Power Pages Liquid engine: web templates found
// by name (case-insensitive, then built-ins), `extends`, `elseif`, startswith/endswith, the portal
// filters and tags, strict filters and DotLiquid truthiness.
import type { FS, Operators } from "liquidjs";
import { defaultOperators, Liquid, toValue } from "liquidjs";
import { findBuiltinTemplate } from "./builtin-templates";
import type { FixtureRows } from "./fetchxml-query";
import { registerPowerPagesFilters } from "./filters/index";
import { EditableTag } from "./tags/editable-tag";
import { createFetchXmlTag } from "./tags/fetchxml-tag";
import {
  PlaceholderBlockTag,
  placeholderBlockTagNames,
  PlaceholderTag,
  placeholderTagNames,
} from "./tags/placeholder-tags";
import type { LogSink } from "./tags/simple-tags";
import { createLogTag, ManifestTag, NoOpTag, SubstitutionTag } from "./tags/simple-tags";
import { rewriteElseif } from "./template-source";

export interface WebTemplateSource {
  /** The web template's `adx_name`, as written in the site. */
  name: string;
  source: string;
}

export interface PortalLiquidOptions {
  /** Finds a web template by `adx_name`, case-insensitively; undefined when the site has none. */
  findTemplate: (name: string) => WebTemplateSource | undefined;
  /** Rows the `fetchxml` tag queries, keyed by table logical name. */
  fixtureRows?: () => FixtureRows;
  /** Where `{% log %}` messages go. */
  log?: LogSink;
  /** Keep liquidjs filters and tags the portal does not have (off: they fail as on the portal). */
  keepLiquidjsOnly?: boolean;
  /** Cache parsed templates (on for a fixed site; the preview makes a new engine when files change). */
  cache?: boolean;
}

/** liquidjs tags the portal's DotLiquid engine does not offer. */
const liquidjsOnlyTags = ["render", "layout", "echo", "liquid", "#"];

function textOf(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

const powerPagesOperators: Operators = {
  ...defaultOperators,
  startswith: (l: unknown, r: unknown) => textOf(toValue(l)).startsWith(textOf(toValue(r))),
  endswith: (l: unknown, r: unknown) => textOf(toValue(l)).endsWith(textOf(toValue(r))),
};

function lookup(options: PortalLiquidOptions, name: string): WebTemplateSource | undefined {
  return options.findTemplate(name) ?? findBuiltinTemplate(name);
}

/** A liquidjs file system whose "paths" are web template names. */
function createWebTemplateFs(options: PortalLiquidOptions): FS {
  const read = (name: string): string => {
    const found = lookup(options, name);
    if (!found) throw new Error(`no web template named "${name}"`);
    return rewriteElseif(found.source);
  };
  return {
    resolve: (_dir, file) => lookup(options, file)?.name ?? file,
    exists: async (name) => lookup(options, name) !== undefined,
    existsSync: (name) => lookup(options, name) !== undefined,
    readFile: async (name) => read(name),
    readFileSync: read,
    sep: "/",
    dirname: () => "",
  };
}

export function createPortalLiquid(options: PortalLiquidOptions): Liquid {
  const liquid = new Liquid({
    fs: createWebTemplateFs(options),
    root: [""],
    partials: [""],
    layouts: [""],
    extname: "",
    relativeReference: false,
    dynamicPartials: true,
    strictFilters: true,
    strictVariables: false,
    jsTruthy: false,
    cache: options.cache ?? true,
    operators: powerPagesOperators,
    ownPropertyOnly: true,
  });
  const layoutTag = liquid.tags["layout"];
  if (!options.keepLiquidjsOnly) {
    for (const name of liquidjsOnlyTags) delete (liquid.tags as Record<string, unknown>)[name];
  }
  if (layoutTag) liquid.registerTag("extends", layoutTag);
  registerPowerPagesFilters(liquid, { keepLiquidjsOnlyFilters: options.keepLiquidjsOnly ?? false });
  const rows = options.fixtureRows ?? (() => ({}));
  liquid.registerTag("fetchxml", createFetchXmlTag(rows));
  liquid.registerTag("editable", EditableTag);
  for (const name of placeholderTagNames) liquid.registerTag(name, PlaceholderTag);
  for (const name of placeholderBlockTagNames) liquid.registerTag(name, PlaceholderBlockTag);
  liquid.registerTag("substitution", SubstitutionTag);
  liquid.registerTag("manifest", ManifestTag);
  liquid.registerTag(
    "log",
    createLogTag(options.log ?? ((level, message) => console.error(`[liquid ${level}] ${message}`))),
  );
  for (const name of ["outputcache", "endoutputcache", "redirect", "rating"])
    liquid.registerTag(name, NoOpTag);
  return liquid;
}
