// Site-independent output in dist/: the web template source, the record definitions as JSON, the
// build report (weights, CSP hashes) and the CSP sources as one line.

import { toPacFileName } from "../../power-pages";
import { applyFiles } from "./apply-files";
import type { KitArtifacts } from "./compose-artifacts";
import { formatCspDirectives } from "./csp-hashes";
import type { Definitions } from "./definitions";
import { BuildError } from "./errors";
import { KIT_ID_NAMESPACE } from "./kit-ids";
import { findSecrets } from "./secret-patterns";

export interface DistResult {
  changed: string[];
  files: string[];
}

export function writeDist(
  outDir: string,
  definitions: Definitions,
  artifacts: KitArtifacts,
  knownSecrets: readonly string[] = [],
): DistResult {
  const templateFile = `${toPacFileName(definitions.webTemplate.name)}.webtemplate.source.html`;
  const records = {
    kitVersion: artifacts.report.kitVersion,
    idNamespace: KIT_ID_NAMESPACE,
    idRule:
      "UUID v5 over website id, record table, record name (and language code for content pages), one value per line",
    templateFile,
    definitions,
    records: {
      adx_webtemplate: { adx_name: definitions.webTemplate.name },
      adx_pagetemplate: {
        adx_entityname: "adx_webpage",
        adx_isdefault: false,
        adx_name: definitions.pageTemplate.name,
        adx_type: 756150001,
        adx_usewebsiteheaderandfooter: definitions.pageTemplate.useWebsiteHeaderAndFooter,
      },
      adx_webpage: {
        adx_name: definitions.webPage.name,
        adx_partialurl: definitions.webPage.partialUrl,
        adx_title: definitions.webPage.title,
        adx_hiddenfromsitemap: definitions.webPage.hiddenFromSitemap,
        adx_excludefromsearch: definitions.webPage.excludeFromSearch,
        adx_sharedpageconfiguration: true,
      },
      adx_sitesetting: Object.values(definitions.siteSettings).map((s) => ({
        adx_name: s.name,
        adx_value: s.value,
      })),
    },
  };
  const files = [
    { path: templateFile, content: artifacts.templateSource },
    { path: "definitions.json", content: `${JSON.stringify(records, null, 2)}\n` },
    { path: "build-report.json", content: `${JSON.stringify(artifacts.report, null, 2)}\n` },
    { path: "csp.txt", content: `${formatCspDirectives(artifacts.report.csp)}\n` },
  ];
  for (const file of files) {
    const hit = findSecrets(file.content, knownSecrets)[0];
    if (hit) {
      throw new BuildError(
        "SECRET_IN_OUTPUT",
        `dist/${file.path} line ${hit.line}: the build would write something shaped like a ${hit.kind}. Nothing was written. Keep secrets in the endpoint's environment, not in definitions, config files or options.`,
        { file: file.path, line: hit.line },
      );
    }
  }
  const applied = applyFiles(outDir, files);
  applied.commit();
  return { changed: applied.changed, files: files.map((f) => f.path) };
}
