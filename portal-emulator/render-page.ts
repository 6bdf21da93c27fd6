// The page pipeline: request path → web page (joined partial URLs, optional /<language>/ prefix)
// → page template → web template, wrapped in the portal layout with the website's header and
// footer when the page template asks for them. Template errors become a 500 page naming the spot,
// and the same text goes to the log; a broken header or footer is shown in place (and logged)
// while the page itself still renders.
import type { Liquid } from "liquidjs";
import type { Language, SiteFolder, WebPage } from "../power-pages/index";
import { findLanguages, findPublishedState, matchLanguageCode, pageUrlOf } from "../power-pages/index";
import { createPortalLiquid } from "./create-portal-liquid";
import { PortalError, SiteConfigurationError } from "./errors";
import type { FixtureContact, PortalFixtures } from "./fixtures";
import { buildPortalScope, contentPageFor } from "./portal-scope";
import { renderPageBody, wrapInLayout } from "./page-layout";
import { withLiquidSnippets } from "./snippet-liquid";
import { encodeHtml } from "./values";

export { shellScriptPath } from "./page-layout";

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
  /** Extra HTML for the layout's <head> (see PreviewServerOptions.layoutHead). */
  layoutHead?: string;
}

/** Partial URLs may hold any letters (`お問合せ`); browsers send them percent-encoded. */
function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
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

/**
 * Picks the language of a request: an exact `/<code>/` prefix of the path (exact only, since a page's
 * partial URL may look like a bare code), else the language asked for (falling back `fr-FR` ↔ `fr`),
 * else the website's default.
 */
function createLanguagePicker(site: SiteFolder) {
  const languages = findLanguages(site);
  const codes = languages.map((l) => l.code);
  const defaultLanguage =
    site.languages.find((l) => l.id === site.website.defaultLanguageId) ?? site.languages[0];
  return (pathname: string, wanted: string | undefined): { language: Language; path: string } => {
    const first = pathname.split("/")[1] ?? "";
    const prefixed = languages.find((l) => l.code.toLowerCase() === first.toLowerCase());
    if (prefixed) return { language: prefixed, path: pathname.slice(first.length + 1) || "/" };
    const code = wanted ? matchLanguageCode(codes, wanted) : undefined;
    const language = languages.find((l) => l.code === code) ?? defaultLanguage;
    if (!language)
      throw new SiteConfigurationError("The site has no website language (websitelanguage.yml is empty).");
    return { language, path: pathname };
  };
}

/** The Liquid engine of one site: its web templates by name, then the built-ins. */
function createSiteLiquid(options: SiteRendererOptions): Liquid {
  const byName = new Map(options.site.webTemplates.map((t) => [t.name.toLowerCase(), t]));
  return createPortalLiquid({
    findTemplate: (name) => {
      const found = byName.get(name.toLowerCase());
      return found && found.source !== null ? { name: found.name, source: found.source } : undefined;
    },
    fixtureRows: () => options.fixtures.rows ?? {},
    ...(options.log ? { log: options.log } : {}),
  });
}

/** Visible to visitors: no state, a visible state or Published (everything when the site has no states). */
function createPublishedTest(site: SiteFolder): (record: { publishingStateId: string | null }) => boolean {
  const published = findPublishedState(site);
  const visibleStates = new Set(site.publishingStates.filter((s) => s.isVisible).map((s) => s.id));
  if (published) visibleStates.add(published.id);
  return (record) =>
    record.publishingStateId === null ||
    visibleStates.has(record.publishingStateId) ||
    visibleStates.size === 0;
}

export function createSiteRenderer(options: SiteRendererOptions): SiteRenderer {
  const { site, fixtures } = options;
  const liquid = createSiteLiquid(options);
  const layoutContext = { site, liquid, log: options.log, head: options.layoutHead };
  const isPublished = createPublishedTest(site);
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
  const pickLanguage = createLanguagePicker(site);

  /** The web page a request asks for, with the language its URL (or the request) chose. */
  function locate(request: PageRequest) {
    const url = new URL(request.url);
    const { language, path } = pickLanguage(decodePath(url.pathname), request.language);
    return { url, language, path, page: pagesByUrl.get(normalizePath(path)) };
  }

  function scopeOf(request: PageRequest, url: URL, page: WebPage, language: Language) {
    const scope = buildPortalScope({
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
    return withLiquidSnippets(scope, liquid);
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
      const { body, mimeType } = await renderPageBody(layoutContext, pageTemplate, scope);
      if (!pageTemplate.useWebsiteHeaderAndFooter) {
        return { status: 200, contentType: `${mimeType}; charset=utf-8`, body };
      }
      return {
        status: 200,
        contentType: "text/html; charset=utf-8",
        body: await wrapInLayout(layoutContext, body, scope, language),
      };
    } catch (error) {
      if (!(error instanceof PortalError)) throw error;
      return errorPage(500, `Preview error ${error.code}`, error.message);
    }
  }

  return {
    site,
    liquid,
    listPages: () => pages.map((page) => ({ url: urlOf(page), page })),
    renderPage,
    scopeFor,
  };
}
