// The records of a site that the kit's records hang on: the Home root page (parent of the gateway
// page), the publishing state they go live in, and the languages that get a content page. The
// build refuses a site without them, and `validate` reports the same refusals as errors, so the two
// never disagree about what is refused.

import {
  findHomePage,
  findLanguages,
  findPublishedState,
  listFileOf,
  tableLayoutOf,
} from "../../power-pages";
import type { Language, PublishingState, SiteFolder, WebPage } from "../../power-pages";
import type { BuildErrorCode } from "./errors";

export interface SiteAnchors {
  home: WebPage;
  published: PublishingState;
  languages: Array<Language & { code: string }>;
}

export interface Refusal {
  code: BuildErrorCode;
  /** Path relative to the site folder. */
  file: string;
  message: string;
}

export interface AnchorCheck {
  anchors: SiteAnchors | null;
  refusals: Refusal[];
  warnings: string[];
}

/** Where a table's records live in this site, for messages: its root list file or its folder. */
function tableFileOf(site: SiteFolder, kind: string): string {
  if (tableLayoutOf(site, kind) === "list") return listFileOf(kind);
  const file = site.recordFiles.find((rf) => rf.kind === kind)?.file ?? listFileOf(kind);
  return `${file.slice(0, file.lastIndexOf("/") + 1)}`;
}

export function checkSiteAnchors(site: SiteFolder): AnchorCheck {
  const refusals: Refusal[] = [];
  const warnings: string[] = [];
  const home = findHomePage(site);
  if (!home) {
    refusals.push({
      code: "SITE_NO_HOME_PAGE",
      file: "web-pages",
      message:
        "web-pages: no Home root page (a web page with adx_isroot: true, adx_partialurl: / and no parent). The gateway page hangs under Home; download the complete site with `pac pages download`.",
    });
  }
  // The state named Published; failing that (a renamed or translated state), the one Home is in.
  let published = findPublishedState(site);
  if (!published && home) {
    published =
      site.publishingStates.find((s) => s.id.toLowerCase() === home.publishingStateId?.toLowerCase()) ?? null;
    if (published)
      warnings.push(
        `No publishing state is named "Published"; the gateway page takes Home's state, "${published.name}" (${published.file}).`,
      );
  }
  const statesFile = tableFileOf(site, "publishingstate");
  if (!published) {
    refusals.push({
      code: "SITE_NO_PUBLISHED_STATE",
      file: statesFile,
      message: `${statesFile}: no publishing state named "Published", and the Home page's state is not there either. The gateway page must be published; download the site again with \`pac pages download\` (it writes every publishing state).`,
    });
  }
  const languages = findLanguages(site);
  const languagesFile = tableFileOf(site, "websitelanguage");
  if (languages.length === 0) {
    refusals.push({
      code: "SITE_NO_LANGUAGE",
      file: languagesFile,
      message: `${languagesFile}: no website language joined to .portalconfig/portallanguage.yml on adx_portallanguageid, so no content page can be written. Download the site again with \`pac pages download\` (and keep .portalconfig/ with it).`,
    });
  }
  const anchors = home && published && languages.length > 0 ? { home, published, languages } : null;
  return { anchors, refusals, warnings };
}
