// What the gateway page needs from the document around it, added only when the portal's layout
// does not give it: a viewport tag, so a phone renders the page at device width rather than as a
// zoomed-out desktop page, and a `main` landmark, so assistive technology can jump to the payment.
// A layout that has either keeps its own: a second viewport tag or a nested main would conflict.

/** Adds `<meta name="viewport">` to the head when the document has none; true when it added one. */
export function ensureViewport(doc: Document): boolean {
  if (doc.querySelector('meta[name="viewport" i]')) return false;
  const meta = doc.createElement("meta");
  meta.setAttribute("name", "viewport");
  meta.setAttribute("content", "width=device-width, initial-scale=1");
  (doc.head ?? doc.documentElement).appendChild(meta);
  return true;
}

/** Makes `root` the page's main landmark when nothing else is; true when it did. */
export function ensureMainLandmark(root: HTMLElement): boolean {
  const doc = root.ownerDocument;
  if (doc.querySelector('main, [role="main"]')) return false;
  root.setAttribute("role", "main");
  return true;
}
