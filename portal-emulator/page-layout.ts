// The parts of a page around the pipeline: the body from the page template (a web template, or a
// visible placeholder for a Rewrite template), and the portal layout with the website's header and
// footer. A header or footer that fails shows its error in its place and in the log, so the page
// itself still renders; a failing body is the caller's 500.
import type { Liquid } from "liquidjs";
import type { Language, PageTemplate, SiteFolder } from "../power-pages/index";
import { PortalError, SiteConfigurationError } from "./errors";
import { renderWebTemplate } from "./render-template";
import { renderPlaceholder } from "./tags/placeholder-tags";
import { encodeHtml } from "./values";

export const shellScriptPath = "/_preview/shell.js";

export interface LayoutContext {
  site: SiteFolder;
  liquid: Liquid;
  log?: ((level: string, message: string) => void) | undefined;
  /** Extra HTML for the <head>, after the charset. */
  head?: string | undefined;
}

const PAGE_TEMPLATE_TYPE_REWRITE = 756150000;

/** pac leaves `adx_type` out of Rewrite page templates, so no type and no web template means Rewrite. */
function isRewriteTemplate(template: PageTemplate): boolean {
  return (
    template.type === PAGE_TEMPLATE_TYPE_REWRITE ||
    (template.type === null && template.webTemplateId === null)
  );
}

export async function renderPageBody(
  ctx: LayoutContext,
  pageTemplate: PageTemplate,
  scope: Record<string, unknown>,
): Promise<{ body: string; mimeType: string }> {
  if (isRewriteTemplate(pageTemplate)) {
    const target = pageTemplate.rewriteUrl ?? "";
    return {
      body: renderPlaceholder(`rewrite page template "${pageTemplate.name}"`, `url: '${target}'`),
      mimeType: "text/html",
    };
  }
  const webTemplate = ctx.site.webTemplates.find((t) => t.id === pageTemplate.webTemplateId);
  if (!webTemplate || webTemplate.source === null) {
    throw new SiteConfigurationError(
      `Page template "${pageTemplate.name}" (${pageTemplate.file}) points at web template ${pageTemplate.webTemplateId ?? "(none)"}, which is missing or has no .webtemplate.source.html.`,
    );
  }
  const body = await renderWebTemplate(ctx.liquid, webTemplate.name, scope);
  return { body, mimeType: webTemplate.mimeType ?? "text/html" };
}

/** The portal layout around a page body: the website's header and footer, the page's own CSS and JS. */
export async function wrapInLayout(
  ctx: LayoutContext,
  body: string,
  scope: Record<string, unknown>,
  language: Language,
): Promise<string> {
  const header = await renderPart(ctx, "header", ctx.site.website.headerWebTemplateId, scope);
  const footer = await renderPart(ctx, "footer", ctx.site.website.footerWebTemplateId, scope);
  const pageObject = scope["page"] as Record<string, unknown>;
  const css =
    typeof pageObject["adx_customcss"] === "string" ? `<style>${pageObject["adx_customcss"]}</style>\n` : "";
  const js =
    typeof pageObject["adx_customjavascript"] === "string"
      ? `<script>${pageObject["adx_customjavascript"]}</script>\n`
      : "";
  return (
    `<!DOCTYPE html>\n<html lang="${encodeHtml(language.code ?? "en-US")}">\n<head>\n<meta charset="utf-8">\n` +
    (ctx.head ? `${ctx.head.trim()}\n` : "") +
    `<title>${encodeHtml(String(pageObject["title"] ?? ""))}</title>\n` +
    `<script src="${shellScriptPath}"></script>\n${css}</head>\n<body>\n` +
    `${header}\n<div class="wrapper-body">\n${body}\n</div>\n${footer}\n${js}</body>\n</html>\n`
  );
}

/** The header or footer; when it fails, its error in its place (and in the log), so the page still shows. */
async function renderPart(
  ctx: LayoutContext,
  part: string,
  id: string | null,
  scope: object,
): Promise<string> {
  try {
    return await renderTemplateById(ctx, id, scope);
  } catch (error) {
    if (!(error instanceof PortalError)) throw error;
    ctx.log?.("error", `${part}: ${error.message}`);
    return `<pre class="pp-preview-error" data-part="${part}">${encodeHtml(`The ${part} failed: ${error.message}`)}</pre>`;
  }
}

async function renderTemplateById(ctx: LayoutContext, id: string | null, scope: object): Promise<string> {
  if (id === null) return "";
  const template = ctx.site.webTemplates.find((t) => t.id === id);
  if (!template)
    throw new SiteConfigurationError(
      `website.yml points at web template ${id} for the header or footer, which the site folder does not have.`,
    );
  return renderWebTemplate(ctx.liquid, template.name, scope);
}
