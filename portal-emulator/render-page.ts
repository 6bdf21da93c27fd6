// The page pipeline: request path → web page (joined partial URLs, optional /<language>/ prefix)
// → page template → web template, wrapped in the portal layout with the website's header and
// footer when the page template asks for them. Template errors become a 500 page naming the spot.
import type { Liquid } from "liquidjs";
import type { Language, SiteFolder, WebPage } from "../power-pages/index";
import { findLanguages, findPublishedState, pageUrlOf } from "../power-pages/index";
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
  return { status, contentType: "text/html; charset=utf-8", body };
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
    const prefixed = languages.find((l) => l.code.toLowerCase() === first.toLowerCase());
    if (prefixed) return { language: prefixed, path: pathname.slice(first.length + 1) || "/" };
    const chosen = wanted ? languages.find((l) => l.code.toLowerCase() === wanted.toLowerCase()) : undefined;
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
      let body: string;
      let mimeType = "text/html";
      if (pageTemplate.type === 756150000) {
        body = renderPlaceholder("rewrite page template", `url: '${pageTemplate.rewriteUrl ?? ""}'`);
      } else {
        const webTemplate = site.webTemplates.find((t) => t.id === pageTemplate.webTemplateId);
        if (!webTemplate || webTemplate.source === null) {
          throw new SiteConfigurationError(
            `Page template "${pageTemplate.name}" (${pageTemplate.file}) points at web template ${pageTemplate.webTemplateId ?? "(none)"}, which is missing or has no .webtemplate.source.html.`,
          );
        }
        body = await renderWebTemplate(liquid, webTemplate.name, scope);
        if (webTemplate.mimeType) mimeType = webTemplate.mimeType;
      }
      if (!pageTemplate.useWebsiteHeaderAndFooter) {
        return { status: 200, contentType: `${mimeType}; charset=utf-8`, body };
      }
      const header = await renderTemplateById(site.website.headerWebTemplateId, scope);
      const footer = await renderTemplateById(site.website.footerWebTemplateId, scope);
      const pageObject = scope["page"] as Record<string, unknown>;
      const css =
        typeof pageObject["adx_customcss"] === "string"
          ? `<style>${pageObject["adx_customcss"]}</style>\n`
          : "";
      const js =
        typeof pageObject["adx_customjavascript"] === "string"
          ? `<script>${pageObject["adx_customjavascript"]}</script>\n`
          : "";
      const html =
        `<!DOCTYPE html>\n<html lang="${encodeHtml(language.code ?? "en-US")}">\n<head>\n<meta charset="utf-8">\n` +
        `<title>${encodeHtml(String(pageObject["title"] ?? ""))}</title>\n` +
        `<script src="${shellScriptPath}"></script>\n${css}</head>\n<body>\n` +
        `${header}\n<div class="wrapper-body">\n${body}\n</div>\n${footer}\n${js}</body>\n</html>\n`;
      return { status: 200, contentType: "text/html; charset=utf-8", body: html };
    } catch (error) {
      if (error instanceof PortalError) return errorPage(500, `Preview error ${error.code}`, error.message);
      throw error;
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
