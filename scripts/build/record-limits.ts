// Column limits of the records the kit writes and checks (Dataverse's mspp_webtemplate and
// mspp_webpage tables; the standard data model is assumed to match). One place, so the build, the
// definitions schema and the validator cannot disagree.

/** Names of web templates, page templates and web pages (characters). */
export const NAME_MAX = 100;
/** Web page title. */
export const TITLE_MAX = 512;
/** Web page summary. */
export const SUMMARY_MAX = 25_000;
/** Web template source and web page copy, custom CSS and custom JavaScript. */
export const TEXT_MAX = 1_048_576;
/** Partial URL of a web page. */
export const PARTIAL_URL_MAX = 100;
