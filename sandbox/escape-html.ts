// The kit's one HTML escaper lives in common/; this path stays until the portal emulator imports it there.
export { escapeHtml } from "../common/escape-html";
