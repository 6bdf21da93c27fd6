// Build-time rendering of the gateway web template. Build-time slots use their own delimiters,
// `[[ … ]]` for output and `[% … %]` for tags, rendered by a dedicated strict liquidjs instance; the
// runtime Power Pages Liquid (`{{ … }}`, `{% … %}`) is plain text to it and passes through as is.

import { Liquid } from "liquidjs";
import { BuildError } from "./errors";

/** Values the template may use in slots. */
export interface TemplateSlots {
  client_script: string;
  client_style: string;
  kit_version: string;
  /** Slot key → site setting name, e.g. `endpoint_url` → `PaymentGateway/EndpointUrl`. */
  settings: Record<string, string>;
  page: { name: string; partial_url: string; title: string };
  /** False when the page template leaves the site header and footer out: the template is then the whole response. */
  page_template: { use_website_header_and_footer: boolean };
  /** Site paths of the Event Portal's event and confirmation pages. */
  event_portal: { event_path: string; confirmation_path: string };
}

const engine = new Liquid({
  outputDelimiterLeft: "[[",
  outputDelimiterRight: "]]",
  tagDelimiterLeft: "[%",
  tagDelimiterRight: "%]",
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  cache: false,
});

/** Renders the build-time slots of `source`; an unknown slot or filter fails naming the file and line. */
export function renderTemplate(source: string, slots: TemplateSlots, file: string): string {
  const known = listSlots(slots);
  try {
    const templates = engine.parse(source, file);
    return engine.renderSync(templates, slots) as string;
  } catch (cause) {
    const position = (cause as { token?: { getPosition?: () => [number, number] } }).token?.getPosition?.();
    const line = position?.[0] ?? lineFromMessage(cause);
    const detail =
      ((cause as { originalError?: Error }).originalError ?? (cause as Error)).message?.replace(
        /, line:\d+, col:\d+$/,
        "",
      ) ?? String(cause);
    throw new BuildError(
      "TEMPLATE_SLOT_ERROR",
      `${file}${line ? ` line ${line}` : ""}: build-time slot failed: ${detail}. Known slots: ${known.join(", ")}. ` +
        "Build-time slots use [[ … ]] and [% … %]; to show those delimiters literally, wrap them in [% raw %]…[% endraw %].",
      { file, ...(line ? { line } : {}), cause },
    );
  }
}

function listSlots(slots: TemplateSlots): string[] {
  return [
    "client_script",
    "client_style",
    "kit_version",
    ...Object.keys(slots.settings).map((k) => `settings.${k}`),
    ...Object.keys(slots.page).map((k) => `page.${k}`),
    ...Object.keys(slots.page_template).map((k) => `page_template.${k}`),
    ...Object.keys(slots.event_portal).map((k) => `event_portal.${k}`),
  ];
}

function lineFromMessage(error: unknown): number | undefined {
  const match = /line:(\d+)/.exec(String((error as Error).message));
  return match?.[1] ? Number(match[1]) : undefined;
}
