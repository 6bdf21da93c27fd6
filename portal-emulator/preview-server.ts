// The local preview of a pac site folder: every published page by its URL through the Liquid
// emulation, web files, /_layout/tokenhtml, the shell shim, and /_api/* (from a handler, the
// fixtures, or 501). Listens on 127.0.0.1 only; the caller chooses the port (0 = any free one).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FixtureContact, PortalFixtures } from "./fixtures";
import { defaultFixtures, findFixtureContact } from "./fixtures";
import { shellScriptPath } from "./render-page";
import { shellShimSource } from "./shell-shim";
import type { SiteSnapshot } from "./site-snapshot";
import { watchSiteFolder } from "./site-snapshot";
import type { SiteRenderer } from "./render-page";
import type { WebFileEntry } from "./web-files";
import { indexWebFiles, readWebFile } from "./web-files";
import { encodeHtml } from "./values";
import { PortalError } from "./errors";

/** A route hook: answer the request and return true, or return false to let the preview go on. */
export type RouteHook = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface PreviewServerOptions {
  /** The pac site folder (the one holding website.yml, or its parent). */
  siteDir: string;
  port?: number;
  host?: "127.0.0.1";
  /** Signed-in contact (id or full name from the fixtures), or a function choosing one per request. */
  user?: string | ((req: IncomingMessage) => string | undefined);
  /** Language code used when the URL has no /<code>/ prefix. */
  language?: string;
  fixtures?: PortalFixtures;
  /** Answers /_api/* before the fixtures (after the anti-forgery check on writes). */
  apiHandler?: RouteHook;
  /** Tried before anything else, for routes the caller adds (sandbox endpoints, test hooks). */
  extraRoutes?: RouteHook;
  /** Require the __RequestVerificationToken header on /_api writes, as the portal does (default true). */
  requireCsrfToken?: boolean;
  log?: (message: string) => void;
  now?: () => Date;
  /**
   * Extra HTML for the <head> of pages rendered in the website's layout, standing in for what the
   * real portal's layout adds there (the sandbox: a viewport tag, a favicon, the portal's stylesheet).
   */
  layoutHead?: string;
}

export interface PreviewServer {
  url: string;
  /** The anti-forgery token /_layout/tokenhtml hands out. */
  token: string;
  /** URLs of the published pages, absolute. */
  pageUrls(): string[];
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function resolveUser(
  options: PreviewServerOptions,
  fixtures: PortalFixtures,
  req: IncomingMessage,
): FixtureContact | undefined {
  const key = typeof options.user === "function" ? options.user(req) : options.user;
  if (key === undefined || key === "") return undefined;
  const contact = findFixtureContact(fixtures, key);
  if (!contact) {
    const known = (fixtures.contacts ?? []).map((c) => `${c.fullname} (${c.contactid})`).join(", ");
    throw new PortalError(
      "UNKNOWN_USER",
      `No fixture contact has the id or name "${key}". Known: ${known || "none"}.`,
    );
  }
  return contact;
}

export async function createPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const fixtures = options.fixtures ?? defaultFixtures;
  const log = options.log ?? (() => {});
  const token = randomBytes(24).toString("base64url");
  const snapshot: SiteSnapshot = watchSiteFolder(options.siteDir, fixtures, {
    log: (level, message) => log(`[liquid ${level}] ${message}`),
    onReload: () => log("site folder changed: templates reloaded"),
    ...(options.layoutHead ? { layoutHead: options.layoutHead } : {}),
  });
  const webFileIndexes = new WeakMap<SiteRenderer, Map<string, WebFileEntry>>();
  if (typeof options.user === "string") resolveUser(options, fixtures, {} as IncomingMessage);
  snapshot.current();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    if (options.extraRoutes && (await options.extraRoutes(req, res, url))) return;
    const method = req.method ?? "GET";
    if (url.pathname === shellScriptPath) {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" });
      res.end(shellShimSource);
      return;
    }
    if (url.pathname.toLowerCase() === "/_layout/tokenhtml") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(`<input name="__RequestVerificationToken" type="hidden" value="${token}" />`);
      return;
    }
    if (url.pathname.startsWith("/_api/")) {
      await handleApi(req, res, url, method);
      return;
    }
    if (method !== "GET" && method !== "HEAD") {
      sendJson(res, 405, {
        error: {
          code: "METHOD_NOT_ALLOWED",
          message: `The preview serves pages with GET only, not ${method} ${url.pathname}.`,
        },
      });
      return;
    }
    const renderer = snapshot.current();
    let webFiles = webFileIndexes.get(renderer);
    if (!webFiles) {
      webFiles = indexWebFiles(renderer.site);
      webFileIndexes.set(renderer, webFiles);
    }
    const webFile = webFiles.get(url.pathname.toLowerCase());
    if (webFile) {
      res.writeHead(200, { "Content-Type": webFile.mimeType });
      res.end(readWebFile(webFile));
      return;
    }
    const page = await renderer.renderPage({
      url: url.href,
      user: resolveUser(options, fixtures, req),
      ...(options.language ? { language: options.language } : {}),
      ...(options.now ? { now: options.now() } : {}),
    });
    if (page.status >= 500)
      log(`${method} ${url.pathname} → ${page.status}${page.error ? `: ${page.error}` : ""}`);
    res.writeHead(page.status, { "Content-Type": page.contentType });
    res.end(method === "HEAD" ? undefined : page.body);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    const writes = method !== "GET" && method !== "HEAD";
    if (writes && options.requireCsrfToken !== false && req.headers["__requestverificationtoken"] !== token) {
      sendJson(res, 403, {
        error: {
          code: "CSRF_TOKEN_MISSING",
          message: `${method} ${url.pathname} needs the __RequestVerificationToken header from /_layout/tokenhtml (shell.ajaxSafePost adds it).`,
        },
      });
      return;
    }
    if (options.apiHandler && (await options.apiHandler(req, res, url))) return;
    const entitySet = url.pathname.slice("/_api/".length).split(/[/(]/)[0] ?? "";
    const table = fixtures.entitySets?.[entitySet];
    if (!writes && table !== undefined) {
      const rows =
        table === "contact"
          ? [...(fixtures.contacts ?? []), ...(fixtures.rows?.[table] ?? [])]
          : (fixtures.rows?.[table] ?? []);
      sendJson(res, 200, { "@odata.context": `${url.origin}/_api/$metadata#${entitySet}`, value: rows });
      return;
    }
    sendJson(res, 501, {
      error: {
        code: "NOT_EMULATED",
        message: `The preview does not emulate ${method} ${url.pathname}. Add the table to the fixtures (rows + entitySets) or pass an apiHandler.`,
      },
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log(`${req.method ?? "GET"} ${req.url ?? "/"} failed: ${message}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      res.writeHead(500, { "Content-Type": "text/html; charset=utf-8" });
      res.end(
        `<!DOCTYPE html>\n<html><body><h1>Preview error</h1><pre class="pp-preview-error">${encodeHtml(message)}</pre></body></html>\n`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${address.port}`;
  return {
    url: base,
    token,
    pageUrls: () =>
      snapshot
        .current()
        .listPages()
        .map((p) => `${base}${p.url}`),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
