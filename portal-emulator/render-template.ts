// Renders a web template (by name) or a Liquid string and turns liquidjs errors into
// TemplateError with the web template name, line and column.
import type { Liquid } from "liquidjs";
import { LiquidError } from "liquidjs";
import { TemplateError } from "./errors";
import { rewriteElseif } from "./template-source";

function reasonOf(error: LiquidError): string {
  const original = (error as LiquidError & { originalError?: unknown }).originalError;
  const text = original instanceof Error ? original.message : error.message;
  return text.replace(/, file:[^\n]*?, line:\d+, col:\d+$/, "").replace(/^ENOENT: /, "");
}

/** Converts any error thrown while parsing/rendering into a TemplateError naming where it happened. */
function toTemplateError(error: unknown, templateName: string): TemplateError {
  if (error instanceof TemplateError) return error;
  if (error instanceof LiquidError) {
    const token = (error as LiquidError & { token?: { file?: string; getPosition(): [number, number] } })
      .token;
    const position = token?.getPosition();
    let reason = reasonOf(error);
    const missing = /^Failed to lookup "([^"]*)"/.exec(reason);
    if (missing)
      reason = `include/extends of "${missing[1]}": no web template has that name (web-templates/**/*.webtemplate.yml adx_name)`;
    return new TemplateError(
      { templateName: token?.file || templateName, line: position?.[0], column: position?.[1], reason },
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new TemplateError({ templateName, reason }, { cause: error });
}

/** Renders the web template `name` with `scope` as the page's objects. */
export async function renderWebTemplate(liquid: Liquid, name: string, scope: object): Promise<string> {
  try {
    const templates = await liquid.parseFile(name);
    return (await liquid.render(templates, scope)) as string;
  } catch (error) {
    throw toTemplateError(error, name);
  }
}

/** Renders Liquid source that is not a web template (page copy, tests); `name` labels errors. */
export async function renderLiquidSource(
  liquid: Liquid,
  source: string,
  scope: object,
  name = "(inline)",
): Promise<string> {
  try {
    const templates = liquid.parse(rewriteElseif(source), name);
    return (await liquid.render(templates, scope)) as string;
  } catch (error) {
    throw toTemplateError(error, name);
  }
}
