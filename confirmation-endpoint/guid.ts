// The kit's one GUID module lives in common/; this path stays for the endpoint's existing imports.
export { GUID_PATTERN, isGuid, normalizeGuid } from "../common/guid";
