// The page pipeline: request path → web page (joined partial URLs, optional /<language>/ prefix)
// → page template → web template, wrapped in the portal layout with the website's header and
// footer when the page template asks for them. Template errors become a 500 page naming the spot,
// and the same text goes to the log; a broken header or footer is shown in place (and logged)
// while the page itself still renders.
import type { Liquid } from "liquidjs";
import type { Language, SiteFolder, WebPage } from "../power-pages/index";
import { findLanguages, findPublishedState, matchLanguageCode, pageUrlOf } from "../power-pages/index";
import type { PageTemplate } from "../power-pages/index";
import { createPortalLiquid } from "./create-portal-liquid";
import { PortalError, SiteConfigurationError } from "./errors";
import type { FixtureContact, PortalFixtures } from "./fixtures";
import { buildPortalScope, contentPageFor } from "./portal-scope";
import { renderWebTemplate } from "./render-template";
import { renderPlaceholder } from "./tags/placeholder-tags";
import { encodeHtml } from "./values";

export const shellScriptPath = "/_preview/shell.js";

export interface PageRequest {
  /** Absolute request URL. */
  url: string;
  user?: FixtureContact;
  /** Language code to use when the URL has no language prefix (default: the website's default). */
  language?: string;
  now?: Date;
}

export interface PageResponse {
  status: number;
  contentType: string;
  body: string;
  /** What failed, for the log, when status is 500. */
  error?: string;
}

export interface SiteRenderer {
  site: SiteFolder;
  liquid: Liquid;
  /** Published root pages with their URLs. */
  listPages(): Array<{ url: string; page: WebPage }>;
  renderPage(request: PageRequest): Promise<PageResponse>;
  /** The objects a template on the requested page sees; null when no published page has that URL. */
  scopeFor(request: PageRequest): Record<string, unknown> | null;
}

export interface SiteRendererOptions {
  site: SiteFolder;
  fixtures: PortalFixtures;
  log?: (level: string, message: string) => void;
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, "").toLowerCase();
  return trimmed === "" ? "/" : `${trimmed}/`;
}

function errorPage(status: number, title: string, detail: string): PageResponse {
  const body =
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${encodeHtml(title)}</title></head>` +
    `<body><h1>${encodeHtml(title)}</h1><pre class="pp-preview-error">${encodeHtml(detail)}</pre></body></html>\n`;
  return {
    status,
    contentType: "text/html; charset=utf-8",
    body,
    ...(status >= 500 ? { error: detail } : {}),
  };
}

const PAGE_TEMPLATE_TYPE_REWRITE = 756150000;

/** pac leaves `adx_type` out of Rewrite page templates, so no type and no web template means Rewrite. */
function isRewriteTemplate(template: PageTemplate): boolean {
  return (
    template.type === PAGE_TEMPLATE_TYPE_REWRITE ||
    (template.type === null && template.webTemplateId === null)
  );
}

export function createSiteRenderer(options: SiteRendererOptions): SiteRenderer {
  const { site, fixtures } = options;
  const byName = new Map(site.webTemplates.map((t) => [t.name.toLowerCase(), t]));
  const liquid = createPortalLiquid({
    findTemplate: (name) => {
      const found = byName.get(name.toLowerCase());
      return found && found.source !== null ? { name: found.name, source: found.source } : undefined;
    },
    fixtureRows: () => fixtures.rows ?? {},
    ...(options.log ? { log: options.log } : {}),
  });
  const published = findPublishedState(site);
  const visibleStates = new Set(site.publishingStates.filter((s) => s.isVisible).map((s) => s.id));
  if (published) visibleStates.add(published.id);
  const isPublished = (record: { publishingStateId: string | null }) =>
    record.publishingStateId === null ||
    visibleStates.has(record.publishingStateId) ||
    visibleStates.size === 0;
  const urlCache = new Map<string, string>();
  const urlOf = (page: WebPage) => {
    let url = urlCache.get(page.id);
    if (url === undefined) {
      url = pageUrlOf(site, page);
      urlCache.set(page.id, url);
    }
    return url;
  };
  const pages = site.webPages.filter((p) => isPublished(p) && p.data["statecode"] !== 1);
  const pagesByUrl = new Map(pages.map((p) => [normalizePath(urlOf(p)), p]));
  const languages = findLanguages(site);
  const defaultLanguage =
    site.languages.find((l) => l.id === site.website.defaultLanguageId) ?? site.languages[0];

  function pickLanguage(pathname: string, wanted: string | undefined): { language: Language; path: string } {
    const first = pathname.split("/")[1] ?? "";
    const codes = languages.map((l) => l.code);
    // Exact codes only in the URL (a page's partial URL may look like a bare code); requests fall back fr-FR ↔ fr.
    const prefixed = languages.find((l) => l.code.toLowerCase() === first.toLowerCase());
    if (prefixed) return { language: prefixed, path: pathname.slice(first.length + 1) || "/" };
    const code = wanted ? matchLanguageCode(codes, wanted) : undefined;
    const chosen = code === undefined ? undefined : languages.find((l) => l.code === code);
    const language = chosen ?? defaultLanguage;
    if (!language)
      throw new SiteConfigurationError("The site has no website language (websitelanguage.yml is empty).");
    return { language, path: pathname };
  }

  /** The web page a request asks for, with the language its URL (or the request) chose. */
  function locate(request: PageRequest) {
    const url = new URL(request.url);
    const { language, path } = pickLanguage(url.pathname, request.language);
    return { url, language, path, page: pagesByUrl.get(normalizePath(path)) };
  }

  function scopeOf(request: PageRequest, url: URL, page: WebPage, language: Language) {
    return buildPortalScope({
      site,
      page,
      language,
      request: { url: url.href },
      user: request.user,
      fixtures,
      now: request.now ?? new Date(),
      urlOf,
      isPublished,
    });
  }

  function scopeFor(request: PageRequest): Record<string, unknown> | null {
    const { url, language, page } = locate(request);
    return page ? scopeOf(request, url, page, language) : null;
  }

  async function renderPage(request: PageRequest): Promise<PageResponse> {
    const { url, language, path, page } = locate(request);
    if (!page) return errorPage(404, "Page not found", `No published web page has the URL ${path}.`);
    try {
      const content = contentPageFor(page, language, isPublished);
      const templateId = content?.pageTemplateId ?? page.pageTemplateId;
      const pageTemplate = site.pageTemplates.find((t) => t.id === templateId);
      if (!pageTemplate) {
        throw new SiteConfigurationError(
          `Web page "${page.name}" (${page.file}) points at page template ${templateId ?? "(none)"}, which the site folder does not have.`,
        );
      }
      const scope = scopeOf(request, url, page, language);
      const { body, mimeType } = await renderPageBody(pageTemplate, scope);
      if (!pageTemplate.useWebsiteHeaderAndFooter) {
        return { status: 200, contentType: `${mimeType}; charset=utf-8`, body };
      }
      return {
        status: 200,
        contentType: "text/html; charset=utf-8",
        body: await wrapInLayout(body, scope, language),
      };
    } catch (error) {
      if (!(error instanceof PortalError)) throw error;
      return errorPage(500, `Preview error ${error.code}`, error.message);
    }
  }

  async function renderPageBody(
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
    const webTemplate = site.webTemplates.find((t) => t.id === pageTemplate.webTemplateId);
    if (!webTemplate || webTemplate.source === null) {
      throw new SiteConfigurationError(
        `Page template "${pageTemplate.name}" (${pageTemplate.file}) points at web template ${pageTemplate.webTemplateId ?? "(none)"}, which is missing or has no .webtemplate.source.html.`,
      );
    }
    const body = await renderWebTemplate(liquid, webTemplate.name, scope);
    return { body, mimeType: webTemplate.mimeType ?? "text/html" };
  }

  /** The portal layout around a page body: the website's header and footer, the page's own CSS and JS. */
  async function wrapInLayout(
    body: string,
    scope: Record<string, unknown>,
    language: Language,
  ): Promise<string> {
    const header = await renderPart("header", site.website.headerWebTemplateId, scope);
    const footer = await renderPart("footer", site.website.footerWebTemplateId, scope);
    const pageObject = scope["page"] as Record<string, unknown>;
    const css =
      typeof pageObject["adx_customcss"] === "string"
        ? `<style>${pageObject["adx_customcss"]}</style>\n`
        : "";
    const js =
      typeof pageObject["adx_customjavascript"] === "string"
        ? `<script>${pageObject["adx_customjavascript"]}</script>\n`
        : "";
    return (
      `<!DOCTYPE html>\n<html lang="${encodeHtml(language.code ?? "en-US")}">\n<head>\n<meta charset="utf-8">\n` +
      `<title>${encodeHtml(String(pageObject["title"] ?? ""))}</title>\n` +
      `<script src="${shellScriptPath}"></script>\n${css}</head>\n<body>\n` +
      `${header}\n<div class="wrapper-body">\n${body}\n</div>\n${footer}\n${js}</body>\n</html>\n`
    );
  }

  /** The header or footer; when it fails, its error in its place (and in the log), so the page still shows. */
  async function renderPart(part: string, id: string | null, scope: object): Promise<string> {
    try {
      return await renderTemplateById(id, scope);
    } catch (error) {
      if (!(error instanceof PortalError)) throw error;
      options.log?.("error", `${part}: ${error.message}`);
      return `<pre class="pp-preview-error" data-part="${part}">${encodeHtml(`The ${part} failed: ${error.message}`)}</pre>`;
    }
  }

  async function renderTemplateById(id: string | null, scope: object): Promise<string> {
    if (id === null) return "";
    const template = site.webTemplates.find((t) => t.id === id);
    if (!template)
      throw new SiteConfigurationError(
        `website.yml points at web template ${id} for the header or footer, which the site folder does not have.`,
      );
    return renderWebTemplate(liquid, template.name, scope);
  }

  return {
    site,
    liquid,
    listPages: () => pages.map((page) => ({ url: urlOf(page), page })),
    renderPage,
    scopeFor,
  };
}
