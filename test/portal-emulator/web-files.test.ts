import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewServer } from "../../portal-emulator/preview-server";
import { createPreviewServer } from "../../portal-emulator/preview-server";

const fixture = fileURLToPath(new URL("../fixtures/standard-site/", import.meta.url));

describe("web files", () => {
  let dir: string;
  let server: PreviewServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "portal-webfiles-"));
    cpSync(fixture, dir, { recursive: true });
    const webFiles = join(dir, "contoso-events---contosoevents", "web-files");
    mkdirSync(webFiles, { recursive: true });
    writeFileSync(
      join(webFiles, "theme.css.webfile.yml"),
      [
        "adx_name: theme.css",
        "adx_parentpageid: aaaaaaaa-0001-4000-8000-000000000030",
        "adx_partialurl: theme.css",
        "adx_publishingstateid: aaaaaaaa-0001-4000-8000-000000000002",
        "adx_webfileid: aaaaaaaa-0001-4000-8000-0000000000f1",
        "filename: theme.css",
        "mimetype: text/css",
        "",
      ].join("\n"),
    );
    writeFileSync(join(webFiles, "theme.css"), "body { color: #123; }\n");
    server = await createPreviewServer({ siteDir: dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a web file at its parent page URL plus its partial URL, with its MIME type", async () => {
    const response = await fetch(`${server.url}/theme.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/css");
    expect(await response.text()).toBe("body { color: #123; }\n");
  });

  it("answers 404 for a web file that does not exist", async () => {
    expect((await fetch(`${server.url}/missing.css`)).status).toBe(404);
  });
});
