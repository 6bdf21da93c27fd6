// Entry point of the attendee's gateway page (bundled into one IIFE and inlined by the build).
// The only file that touches the real browser globals; everything else receives them.
import { ensureMainLandmark, ensureViewport } from "./page-frame";
import { readConfig } from "./read-config";
import { startGatewayPage } from "./start-gateway-page";

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // access throws when storage is disabled
  }
}

const root = document.getElementById("epg-root");
if (root) {
  ensureViewport(document);
  ensureMainLandmark(root);
  startGatewayPage({
    root,
    config: readConfig(document),
    fetch: window.fetch.bind(window),
    now: () => Date.now(),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (id) => window.clearTimeout(id),
    navigate: (url) => window.location.assign(url),
    location: window.location,
    sessionStorage: safeSessionStorage(),
  });
  // Coming back with the Back button from the provider restores a frozen page (Pay disabled,
  // countdown stopped): load it afresh instead.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
}
