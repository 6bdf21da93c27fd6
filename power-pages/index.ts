// Read and write pac site folders (the layout `pac pages download` writes and `pac pages upload` reads).
export { findSiteFolder, listRecordFiles, loadSiteFolder, recordKindOf, sideFile } from "./site-folder";
export { findHomePage, findLanguages, findPublishedState, pageUrlOf } from "./site-queries";
export {
  detectKeyStyle,
  formatLineRanges,
  keyStyleOfRecord,
  normalizeRecord,
  primaryKeyOf,
  styleRecord,
  toStyledKey,
} from "./key-style";
export type { KeyStyle } from "./key-style";
export {
  formatRecordItem,
  formatRecordList,
  formatRecordMap,
  formatScalar,
  parseRecordYaml,
} from "./record-yaml";
export { toPacFileName, toPacFolderName } from "./pac-names";
export { matchLanguageCode, pickForLanguage } from "./language-match";
export {
  contentPageFileOf,
  contentPageLayoutOf,
  listFileOf,
  perRecordFileOf,
  tableLayoutOf,
} from "./table-layout";
export type { ContentPageLayout, TableLayout } from "./table-layout";
export { SiteFolderError } from "./errors";
export type { SiteFolderErrorCode } from "./errors";
export type * from "./types";
