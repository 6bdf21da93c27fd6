// Content snippets holding Liquid render wherever they are printed, `{{ snippets['…'] }}` as well as
// `{% editable snippets '…' %}` (the fixture footer's home link once came out as literal Liquid).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPreviewServer, type PreviewServer } from "../../portal-emulator/preview-server";

const SITE = "test/fixtures/standard-site";
const SNIPPETS = "contoso-events---contosoevents/content-snippets/footer-copyright";

describe("snippets holding Liquid", () => {
  let dir: string;
  let server: PreviewServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "epg-snippets-"));
    cpSync(SITE, dir, { recursive: true });
    // English: prints itself (must not loop) and uses a filter; French: stays plain text.
    writeFileSync(
      join(dir, SNIPPETS, "Footer-Copyright.en-US.contentsnippet.value.html"),
      `<p><a href="{{ sitemarkers['Home'].url }}">{{ website.adx_name | upcase }}</a> [{{ snippets['Footer Copyright'] | size }}]</p>`,
    );
    writeFileSync(
      join(dir, SNIPPETS, "Footer-Copyright.fr-FR.contentsnippet.value.html"),
      "<p>Sans Liquid</p>",
    );
    server = await createPreviewServer({ siteDir: dir, port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders a snippet's Liquid when a template prints it with {{ }}", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const footer = /<div class="copyright">(.*?)<\/div>/s.exec(html)?.[1] ?? "";
    expect(footer).toContain('<a href="/">CONTOSO EVENTS - CONTOSOEVENTS</a>');
    // The snippet printing itself gets its stored text (its length), not an endless loop.
    expect(footer).toMatch(/\[\d+\]/);
    expect(html).not.toContain("{{");
  });

  it("leaves a snippet without Liquid as it is", async () => {
    const html = await (await fetch(`${server.url}/fr-FR/`)).text();
    expect(html).toContain('<div class="copyright"><p>Sans Liquid</p></div>');
  });

  it("the unmodified fixture's footer and header link home", async () => {
    const plain = await createPreviewServer({ siteDir: SITE, port: 0, host: "127.0.0.1" });
    try {
      const html = await (await fetch(`${plain.url}/event/`)).text();
      expect(html).toContain('All rights reserved. <a href="/">Contoso Events</a>');
      expect(html).not.toContain("sitemarkers[");
    } finally {
      await plain.close();
    }
  });
});
