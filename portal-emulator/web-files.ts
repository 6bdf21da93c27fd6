// Web files of a site folder (web-files/<name>.webfile.yml + the file itself), by URL: the parent
// page's URL followed by the web file's partial URL.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { SiteFolder } from "../power-pages/index";
import { pageUrlOf } from "../power-pages/index";

export interface WebFileEntry {
  url: string;
  path: string;
  mimeType: string;
}

const mimeByExtension: Record<string, string> = {
  css: "text/css",
  js: "text/javascript",
  json: "application/json",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
  html: "text/html",
  txt: "text/plain",
};

export function indexWebFiles(site: SiteFolder): Map<string, WebFileEntry> {
  const entries = new Map<string, WebFileEntry>();
  for (const file of site.recordFiles.filter((f) => f.kind === "webfile")) {
    for (const record of file.records) {
      const partial = typeof record["adx_partialurl"] === "string" ? record["adx_partialurl"] : null;
      if (!partial) continue;
      const dir = join(site.root, dirname(file.file));
      const candidates = [record["filename"], partial, basename(file.file).replace(/\.webfile\.yml$/, "")]
        .filter((c): c is string => typeof c === "string" && c !== "")
        .map((c) => join(dir, c));
      const path = candidates.find((c) => existsSync(c));
      if (!path) continue;
      const parent = site.webPages.find((p) => p.id === record["adx_parentpageid"]);
      const url = `${parent ? pageUrlOf(site, parent) : "/"}${partial}`.toLowerCase();
      const extension = partial.split(".").pop()?.toLowerCase() ?? "";
      const mimeType =
        typeof record["mimetype"] === "string" && record["mimetype"] !== ""
          ? record["mimetype"]
          : (mimeByExtension[extension] ?? "application/octet-stream");
      entries.set(url, { url, path, mimeType });
    }
  }
  return entries;
}

export function readWebFile(entry: WebFileEntry): Buffer {
  return readFileSync(entry.path);
}
