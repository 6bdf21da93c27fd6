// Site-independent output of the build: the web template source with the client inlined, its CSP
// hashes and the weight report. Both `npm run build` and the site overlay start from this.

import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { gzipSync } from "node:zlib";
import { bundleClient } from "./bundle-client";
import type { ClientBundle } from "./bundle-client";
import { hashInlineElements } from "./csp-hashes";
import type { InlineHashes } from "./csp-hashes";
import type { Definitions } from "./definitions";
import { BuildError } from "./errors";
import { TEXT_MAX } from "./record-limits";
import { renderTemplate } from "./render-template";
import { findRawRegions, holdsLiquidMarkup, isInsideRaw } from "./runtime-raw";

export interface Weight {
  bytes: number;
  gzipBytes: number;
}

export interface BuildReport {
  kitVersion: string;
  script: Weight;
  style: Weight;
  template: { characters: number; limit: number };
  csp: InlineHashes;
}

export interface KitArtifacts {
  /** The web template source to upload (`.webtemplate.source.html`). */
  templateSource: string;
  report: BuildReport;
}

export interface ComposeInput {
  clientDir: string;
  templatePath: string;
  definitions: Definitions;
  kitVersion: string;
  /** Root used to shorten file names in messages. */
  repoRoot: string;
  /** Pre-built client (tests and benchmarks); bundled from `clientDir` when absent. */
  client?: ClientBundle;
}

export async function composeArtifacts(input: ComposeInput): Promise<KitArtifacts> {
  const client = input.client ?? (await bundleClient(input.clientDir));
  const displayPath = relative(input.repoRoot, input.templatePath) || input.templatePath;
  let source: string;
  try {
    source = readFileSync(input.templatePath, "utf8");
  } catch (cause) {
    throw new BuildError(
      "TEMPLATE_SLOT_ERROR",
      `${displayPath}: could not read the gateway template (${(cause as Error).message}).`,
      {
        file: input.templatePath,
        cause,
      },
    );
  }
  const { definitions } = input;
  const rendered = renderTemplate(
    source,
    {
      client_script: SCRIPT_MARK,
      client_style: STYLE_MARK,
      kit_version: input.kitVersion,
      settings: Object.fromEntries(
        Object.entries(definitions.siteSettings).map(([key, setting]) => [key, setting.name]),
      ),
      page: {
        name: definitions.webPage.name,
        partial_url: definitions.webPage.partialUrl,
        title: definitions.webPage.title,
      },
      page_template: {
        use_website_header_and_footer: definitions.pageTemplate.useWebsiteHeaderAndFooter,
      },
      event_portal: {
        event_path: definitions.eventPortal.eventPath,
        confirmation_path: definitions.eventPortal.confirmationPath,
      },
    },
    displayPath,
  );
  if (!rendered.includes(SCRIPT_MARK)) {
    throw new BuildError(
      "TEMPLATE_SLOT_ERROR",
      `${displayPath}: the template never places [[ client_script ]], so the page would have no script. Put <script>[[ client_script ]]</script> inside a {% raw %} block, as portal-templates/payment-gateway.html does.`,
      { file: input.templatePath },
    );
  }
  const templateSource = insertClientCode(rendered, [
    { mark: SCRIPT_MARK, code: client.script, what: "gateway script" },
    { mark: STYLE_MARK, code: client.style, what: "gateway stylesheet" },
  ]);
  if (templateSource.length > TEXT_MAX) {
    throw new BuildError(
      "TEMPLATE_TOO_LARGE",
      `${displayPath}: the rendered template is ${templateSource.length} characters; a web template holds at most ${TEXT_MAX}. Shrink the gateway script or stylesheet.`,
      { file: input.templatePath },
    );
  }
  return {
    templateSource,
    report: {
      kitVersion: input.kitVersion,
      script: weigh(client.script),
      style: weigh(client.style),
      template: { characters: templateSource.length, limit: TEXT_MAX },
      csp: hashInlineElements(templateSource),
    },
  };
}

const SCRIPT_MARK = "\u0000epg-client-script\u0000";
const STYLE_MARK = "\u0000epg-client-style\u0000";

/**
 * Puts the bundled code where the slots were. Power Pages runs Liquid over the whole template, so
 * code holding `{{` or `{%` outside a runtime `{% raw %}` block would run on the portal: such code
 * is wrapped in its own raw block (the portal strips the tags, the browser sees the code).
 */
export function insertClientCode(
  rendered: string,
  inserts: ReadonlyArray<{ mark: string; code: string; what: string }>,
): string {
  const regions = findRawRegions(rendered);
  const pieces: Array<{ at: number; mark: string; text: string }> = [];
  for (const insert of inserts) {
    if (/\{%-?\s*endraw/.test(insert.code)) {
      throw new BuildError(
        "CLIENT_BUNDLE_FAILED",
        `The ${insert.what} contains "{% endraw", which cannot be inlined into Power Pages Liquid. Change the code that produces it.`,
      );
    }
    let at = rendered.indexOf(insert.mark);
    while (at !== -1) {
      const safe = isInsideRaw(regions, at, at + insert.mark.length) || !holdsLiquidMarkup(insert.code);
      pieces.push({
        at,
        mark: insert.mark,
        text: safe ? insert.code : `{% raw %}${insert.code}{% endraw %}`,
      });
      at = rendered.indexOf(insert.mark, at + insert.mark.length);
    }
  }
  pieces.sort((a, b) => a.at - b.at);
  let out = "";
  let last = 0;
  for (const piece of pieces) {
    out += rendered.slice(last, piece.at) + piece.text;
    last = piece.at + piece.mark.length;
  }
  return out + rendered.slice(last);
}

function weigh(text: string): Weight {
  const buffer = Buffer.from(text, "utf8");
  return { bytes: buffer.length, gzipBytes: text.length === 0 ? 0 : gzipSync(buffer, { level: 9 }).length };
}
