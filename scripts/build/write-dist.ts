// Site-independent output in dist/: the web template source, the record definitions as JSON, the
// build report (weights, CSP hashes) and the CSP sources as one line.

import { toPacFileName } from "../../power-pages";
import { applyFiles } from "./apply-files";
import type { KitArtifacts } from "./compose-artifacts";
import { formatCspDirectives } from "./csp-hashes";
import type { Definitions } from "./definitions";
import { KIT_ID_NAMESPACE } from "./kit-ids";
import { PAGE_TEMPLATE_TYPE_WEB_TEMPLATE } from "./plan-site-records";
import { refuseSecretsInFiles } from "./secret-patterns";

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
        adx_type: PAGE_TEMPLATE_TYPE_WEB_TEMPLATE,
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
  refuseSecretsInFiles(files, knownSecrets, (path) => `dist/${path}`);
  const applied = applyFiles(outDir, files);
  applied.commit();
  return { changed: applied.changed, files: files.map((f) => f.path) };
}
