import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewServer } from "../../portal-emulator/preview-server";
import { createPreviewServer } from "../../portal-emulator/preview-server";

const fixture = fileURLToPath(new URL("../fixtures/standard-site/", import.meta.url));
const siteFolder = "contoso-events---contosoevents";

describe("preview server", () => {
  let dir: string;
  let server: PreviewServer;
  let signedIn: PreviewServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "portal-preview-"));
    cpSync(fixture, dir, { recursive: true });
    server = await createPreviewServer({ siteDir: dir, port: 0, host: "127.0.0.1", language: "en-US" });
    signedIn = await createPreviewServer({
      siteDir: dir,
      port: 0,
      host: "127.0.0.1",
      user: "Zoé <Test> O'Brien & Co",
    });
  });
  afterAll(async () => {
    await server.close();
    await signedIn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1 and lists every published page", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(
      server
        .pageUrls()
        .map((u) => u.slice(server.url.length))
        .sort(),
    ).toEqual(["/", "/about/", "/event/", "/event/confirmation/"]);
  });

  it("serves pages by URL, with an optional /<language>/ prefix, and 404 for unknown paths", async () => {
    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("<h1>Home</h1>");
    const french = await fetch(`${server.url}/fr-FR/event/confirmation/`);
    expect(await french.text()).toContain('<html lang="fr-FR">');
    expect((await fetch(`${server.url}/nope/`)).status).toBe(404);
  });

  it("HTML-encodes user and request values the way Power Pages does", async () => {
    const html = await (
      await fetch(`${signedIn.url}/event/confirmation/?id=%3Cscript%3Ealert(1)%3C%2Fscript%3E`)
    ).text();
    expect(html).toContain('<span class="user-name">Zoé &lt;Test&gt; O&#39;Brien &amp; Co</span>');
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&amp;lt;script&amp;gt;");
  });

  it("skips the encoding when Site/EnableDefaultHtmlEncoding is false", async () => {
    const settingsFile = join(dir, siteFolder, "sitesetting.yml");
    const original = readFileSync(settingsFile, "utf8");
    try {
      writeFileSync(
        settingsFile,
        original.replace(/(Site\/EnableDefaultHtmlEncoding\n(?:.*\n)*?\s+adx_value: )"true"/, '$1"false"'),
      );
      const html = await (await fetch(`${signedIn.url}/event/`)).text();
      expect(html).toContain('<span class="user-name">Zoé <Test> O\'Brien & Co</span>');
    } finally {
      writeFileSync(settingsFile, original);
    }
  });

  it("serves the token, the shell shim, and /_api answers: 403 without token, fixtures, else 501", async () => {
    const tokenHtml = await (await fetch(`${server.url}/_layout/tokenhtml`)).text();
    expect(tokenHtml).toBe(
      `<input name="__RequestVerificationToken" type="hidden" value="${server.token}" />`,
    );
    const shim = await (await fetch(`${server.url}/_preview/shell.js`)).text();
    expect(shim).toContain("getTokenDeferred");
    expect(shim).toContain("ajaxSafePost");
    expect((await fetch(`${server.url}/_api/contacts`, { method: "POST" })).status).toBe(403);
    const contacts = (await (await fetch(`${server.url}/_api/contacts`)).json()) as { value: unknown[] };
    expect(contacts.value.length).toBe(2);
    const missing = await fetch(`${server.url}/_api/cloudflow/v1.0/trigger/x`, {
      method: "POST",
      headers: { __RequestVerificationToken: server.token },
    });
    expect(missing.status).toBe(501);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_EMULATED");
  });

  it("reloads templates when a file changes and shows a template error as a 500 naming template, line and column", async () => {
    const header = join(dir, siteFolder, "web-templates", "header", "Header.webtemplate.source.html");
    const home = join(dir, siteFolder, "web-templates", "home", "Home.webtemplate.source.html");
    const original = readFileSync(header, "utf8");
    const originalHome = readFileSync(home, "utf8");
    try {
      writeFileSync(header, `<header class="site-header">changed</header>`);
      expect(await (await fetch(`${server.url}/`)).text()).toContain("changed</header>");
      writeFileSync(home, `<section>\n  {% entityfrom name: 'typo' %}</section>`);
      const broken = await fetch(`${server.url}/`);
      expect(broken.status).toBe(500);
      expect(await broken.text()).toContain(
        "Template &quot;Home&quot; line 2, column 3: tag &quot;entityfrom&quot; not found",
      );
    } finally {
      writeFileSync(header, original);
      writeFileSync(home, originalHome);
    }
  });

  it("shows a broken header in its place and still renders the page, logging the error", async () => {
    const lines: string[] = [];
    const logged = await createPreviewServer({
      siteDir: dir,
      port: 0,
      host: "127.0.0.1",
      language: "en-US",
      log: (line) => lines.push(line),
    });
    const header = join(dir, siteFolder, "web-templates", "header", "Header.webtemplate.source.html");
    const home = join(dir, siteFolder, "web-templates", "home", "Home.webtemplate.source.html");
    const original = readFileSync(header, "utf8");
    const originalHome = readFileSync(home, "utf8");
    try {
      writeFileSync(header, `<header>\n  {% entityfrom name: 'typo' %}</header>`);
      const response = await fetch(`${logged.url}/`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain(
        "The header failed: Template &quot;Header&quot; line 2, column 3: tag &quot;entityfrom&quot; not found",
      );
      expect(html).toContain("&copy;"); // the footer still renders
      expect(lines.join("\n")).toContain('header: Template "Header" line 2, column 3');
      // A page whose own template fails answers 500, and the log says why, not only the status.
      writeFileSync(home, `<section>\n  {{ page.title | no_such_filter }}</section>`);
      expect((await fetch(`${logged.url}/`)).status).toBe(500);
      expect(lines.join("\n")).toMatch(/GET \/ → 500: Template "Home" line 2, column \d+: .*no_such_filter/);
    } finally {
      writeFileSync(header, original);
      writeFileSync(home, originalHome);
      await logged.close();
    }
  });

  it("does not serve a page whose publishing state is Draft", async () => {
    const about = join(dir, siteFolder, "web-pages", "about", "About.webpage.yml");
    const original = readFileSync(about, "utf8");
    try {
      writeFileSync(
        about,
        original.replace(
          /adx_publishingstateid: \S+/,
          "adx_publishingstateid: aaaaaaaa-0001-4000-8000-000000000003",
        ),
      );
      expect((await fetch(`${server.url}/about/`)).status).toBe(404);
    } finally {
      writeFileSync(about, original);
    }
    expect((await fetch(`${server.url}/about/`)).status).toBe(200);
  });

  it("lets the caller mount extra routes ahead of the preview", async () => {
    const extra = await createPreviewServer({
      siteDir: dir,
      extraRoutes: (_req, res, url) => {
        if (url.pathname !== "/hook") return false;
        res.end("hooked");
        return true;
      },
    });
    try {
      expect(await (await fetch(`${extra.url}/hook`)).text()).toBe("hooked");
      expect((await fetch(`${extra.url}/`)).status).toBe(200);
    } finally {
      await extra.close();
    }
  });
});
