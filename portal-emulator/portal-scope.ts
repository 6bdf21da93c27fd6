// Builds the objects a Power Pages template sees (website, page, settings, snippets, sitemarkers,
// weblinks, sitemap, request, params, user, now, language, resx, entities) from a loaded site
// folder, the matched page, the request and the fixtures.
import type { ContentPage, Language, SiteFolder, WebPage } from "../power-pages/index";
import type { FixtureContact, PortalFixtures } from "./fixtures";
import { encodeHtml, PortalDate, withCaseInsensitiveNames } from "./values";

export interface PortalRequest {
  /** Absolute URL of the request, e.g. http://127.0.0.1:5000/event/?id=x */
  url: string;
}

export interface ScopeInput {
  site: SiteFolder;
  page: WebPage | undefined;
  language: Language;
  request: PortalRequest;
  user: FixtureContact | undefined;
  fixtures: PortalFixtures;
  now: Date;
  /** The URL of a root page in the site (joined partial URLs). */
  urlOf: (page: WebPage) => string;
  isPublished: (page: { publishingStateId: string | null }) => boolean;
}

/** The page's content record for `language`, if it has one that is published. */
export function contentPageFor(
  page: WebPage,
  language: Language,
  isPublished: ScopeInput["isPublished"],
): ContentPage | undefined {
  return page.contentPages.find((c) => c.languageId === language.id && isPublished(c));
}

/** True when the site setting `Site/EnableDefaultHtmlEncoding` is not "false". */
function isDefaultHtmlEncodingOn(site: SiteFolder): boolean {
  const setting = site.siteSettings.find((s) => s.name.toLowerCase() === "site/enabledefaulthtmlencoding");
  return setting?.value?.trim().toLowerCase() !== "false";
}

/** Encodes every string inside `value` (objects and arrays walked), as the portal encodes user/request. */
function encodeDeep(value: unknown): unknown {
  if (typeof value === "string") return encodeHtml(value);
  if (Array.isArray(value)) return value.map(encodeDeep);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeDeep(v)]));
  }
  return value;
}

function pageObject(input: ScopeInput, page: WebPage, depth: number): Record<string, unknown> {
  const content = contentPageFor(page, input.language, input.isPublished);
  const record = { ...page.data, ...(content?.data ?? {}) };
  const title = content?.title ?? page.title ?? page.name;
  const object: Record<string, unknown> = {
    ...record,
    id: page.id,
    name: page.name,
    title,
    url: input.urlOf(page),
    adx_title: title,
    adx_copy: content ? content.copy : page.copy,
    adx_summary: content ? content.summary : page.summary,
    adx_customcss: content ? content.customCss : page.customCss,
    adx_customjavascript: content ? content.customJavascript : page.customJavascript,
    hidden_from_sitemap: page.hiddenFromSitemap,
  };
  if (depth > 0) {
    const parent = input.site.webPages.find((p) => p.id === page.parentPageId);
    object["parent"] = parent ? pageObject(input, parent, 0) : null;
    object["children"] = input.site.webPages
      .filter(
        (p) => p.parentPageId === page.id && p.id !== page.id && input.isPublished(p) && !p.hiddenFromSitemap,
      )
      .sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0))
      .map((p) => pageObject(input, p, 0));
    const crumbs: Record<string, unknown>[] = [];
    const seen = new Set([page.id]);
    let current = parent;
    while (current && !seen.has(current.id)) {
      seen.add(current.id);
      crumbs.unshift(pageObject(input, current, 0));
      const next = current.parentPageId;
      current = input.site.webPages.find((p) => p.id === next);
    }
    object["breadcrumbs"] = crumbs;
  }
  return object;
}

function sitemapNode(input: ScopeInput, page: WebPage, seen: Set<string>): Record<string, unknown> {
  seen.add(page.id);
  const base = pageObject(input, page, 0);
  const children = input.site.webPages
    .filter(
      (p) => p.parentPageId === page.id && !seen.has(p.id) && input.isPublished(p) && !p.hiddenFromSitemap,
    )
    .sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0))
    .map((p) => sitemapNode(input, p, seen));
  return { ...base, children };
}

function byLanguage<T extends { name: string; languageId: string | null }>(
  items: T[],
  language: Language,
): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (item.languageId === null && !map.has(item.name)) map.set(item.name, item);
  for (const item of items) if (item.languageId === language.id) map.set(item.name, item);
  return map;
}

function requestObject(url: URL): Record<string, unknown> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (!(key in params)) params[key] = value;
  return {
    url: url.href,
    path: url.pathname,
    path_and_query: `${url.pathname}${url.search}`,
    query: url.search,
    params,
  };
}

function userObject(input: ScopeInput): Record<string, unknown> | null {
  const contact = input.user;
  if (!contact) return null;
  const automatic = input.site.recordFiles
    .filter((f) => f.kind === "webrole")
    .flatMap((f) => f.records)
    .filter((r) => r["adx_authenticatedusersrole"] === true)
    .map((r) => String(r["adx_name"]));
  const roles = [...new Set([...(contact.roles ?? []), ...automatic])];
  return { ...contact, id: contact.contactid, roles };
}

type SiteObjects = Record<
  "settings" | "snippets" | "sitemarkers" | "weblinks" | "entities",
  Record<string, unknown>
>;

/**
 * The objects that depend only on the site folder, the language and the fixtures, built once per
 * snapshot and language and shared by every render (templates cannot change them).
 */
const siteObjectCache = new WeakMap<ScopeInput["site"], Map<string, SiteObjects>>();

function siteObjects(input: ScopeInput): SiteObjects {
  const { site, language } = input;
  let byLang = siteObjectCache.get(site);
  if (!byLang) siteObjectCache.set(site, (byLang = new Map()));
  const key = `${language.id}|${fixtureKey(input.fixtures)}`;
  const cached = byLang.get(key);
  if (cached) return cached;
  const settings = withCaseInsensitiveNames(
    Object.fromEntries(site.siteSettings.map((s) => [s.name, s.value])),
  );
  const snippets = withCaseInsensitiveNames(
    Object.fromEntries([...byLanguage(site.contentSnippets, language)].map(([name, s]) => [name, s.value])),
  );
  const sitemarkers = Object.fromEntries(
    site.siteMarkers.map((m) => {
      const target = site.webPages.find((p) => p.id === m.pageId);
      return [m.name, { id: m.pageId, name: m.name, url: target ? input.urlOf(target) : null }];
    }),
  );
  const weblinks = Object.fromEntries(
    [...byLanguage(site.weblinkSets, language)].map(([name, set]) => [
      name,
      {
        id: set.id,
        name: set.name,
        weblinks: [...set.weblinks]
          .filter((l) => l.publishingStateId === null || input.isPublished(l))
          .sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0))
          .map((l) => {
            const target = site.webPages.find((p) => p.id === l.pageId);
            const linkUrl = target ? input.urlOf(target) : (l.url ?? "");
            return {
              ...l.data,
              id: l.id,
              name: l.name,
              url: linkUrl,
              is_external: target === undefined && /^https?:/i.test(linkUrl),
              open_in_new_window: l.openInNewWindow,
            };
          }),
      },
    ]),
  );
  const entities = Object.fromEntries(
    Object.entries(input.fixtures.rows ?? {}).map(([table, rows]) => [
      table,
      Object.fromEntries(rows.map((row) => [String(row[`${table}id`] ?? row["id"] ?? ""), row])),
    ]),
  );
  const built = { settings, snippets, sitemarkers, weblinks, entities };
  byLang.set(key, built);
  return built;
}

const fixtureIds = new WeakMap<object, number>();
let nextFixtureId = 0;
function fixtureKey(fixtures: object): number {
  let id = fixtureIds.get(fixtures);
  if (id === undefined) fixtureIds.set(fixtures, (id = nextFixtureId++));
  return id;
}

/** Everything the page's templates can read, as one scope object. */
export function buildPortalScope(input: ScopeInput): Record<string, unknown> {
  const { site, language } = input;
  const url = new URL(input.request.url);
  const encode = isDefaultHtmlEncodingOn(site);
  const request = requestObject(url);
  const user = userObject(input);
  const languageObject = {
    code: language.code ?? "en-US",
    name: language.displayName ?? language.name,
    lcid: language.lcid,
    id: language.id,
  };
  const { settings, snippets, sitemarkers, weblinks, entities } = siteObjects(input);
  const home = site.webPages.find((p) => p.partialUrl === "/" && p.parentPageId === null);
  const now = new PortalDate(input.now.getTime());
  now.culture = languageObject.code;
  const returnUrl = encodeURIComponent(`${url.pathname}${url.search}`);
  const currentPage = input.page ? pageObject(input, input.page, 1) : null;
  return {
    website: {
      ...site.website.data,
      id: site.website.id,
      name: site.website.name,
      adx_name: site.website.name,
      selected_language: languageObject,
      languages: site.languages.map((l) => ({
        code: l.code,
        name: l.displayName ?? l.name,
        lcid: l.lcid,
        id: l.id,
      })),
      sign_in_url: `/SignIn?returnUrl=${returnUrl}`,
      sign_out_url: `/Account/Login/LogOff?returnUrl=${returnUrl}`,
    },
    page: currentPage,
    settings,
    snippets,
    sitemarkers,
    weblinks,
    // Built only when a template reads it: the whole tree is the costliest object, and most pages never touch it.
    get sitemap() {
      return home ? { root: sitemapNode(input, home, new Set()), current: currentPage } : null;
    },
    request: encode ? encodeDeep(request) : request,
    params: encode ? encodeDeep(request["params"]) : request["params"],
    user: user && encode ? encodeDeep(user) : user,
    now,
    language: languageObject,
    resx: {},
    entities,
    // The knowledge base is not emulated: the stock Knowledge templates see empty lists.
    knowledge: { articles: [], categories: [] },
  };
}
