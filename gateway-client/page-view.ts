// How every state of the page is drawn: one section with a heading, the state's own content and
// the support line, announced once in a polite live region, focus on the heading after the first.
// Also the small pieces each state is made of (a paragraph, the way back, a one-shot button).
import { el } from "./dom";
import type { Child } from "./dom";
import { formatMessage, pickCatalogue } from "./messages/index";
import type { MessageKey } from "./messages/index";
import type { ViewName } from "./page-types";
import type { GatewayConfig } from "./read-config";
import type { SiteLinks } from "./site-links";

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export interface PageView {
  doc: Document;
  t: Translate;
  current(): ViewName;
  show(view: ViewName, heading: string, body: Child[], announce?: string, before?: Child): void;
  showMessage(view: ViewName, headingKey: MessageKey, bodyKey: MessageKey, extra?: Child[]): void;
  announce(text: string): void;
  paragraph(text: string, cls?: string): HTMLParagraphElement;
  backLink(readableEventId: string | null): HTMLElement;
  button(label: string, action: () => void): HTMLElement;
}

/** "Need help? Contact …", with the contact as a link when it is an e-mail address or an https URL. */
function supportLine(doc: Document, sentence: string, contact: string): Child {
  if (!contact) return null;
  const [before = "", after = ""] = sentence.split("{contact}");
  let target: Child = contact;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact))
    target = el(doc, "a", { href: `mailto:${contact}` }, [contact]);
  else if (/^https:\/\/\S+$/i.test(contact))
    target = el(doc, "a", { href: contact, rel: "noopener" }, [contact]);
  return el(doc, "p", { class: "epg-support" }, [before, target, after]);
}

export function createPageView(deps: {
  root: HTMLElement;
  config: GatewayConfig;
  links: SiteLinks;
  stopped: () => boolean;
}): PageView {
  const { root, config, links } = deps;
  const doc = root.ownerDocument;
  const msg = pickCatalogue(config.locale);
  const t: Translate = (key, values) => formatMessage(msg[key], values);
  let current: ViewName = "loading";
  let shown = 0;

  // Fixed frame: a polite live region that announces each new state, and the state's own section.
  root.setAttribute("lang", config.locale);
  root.classList.add("epg");
  const live = el(doc, "p", {
    class: "epg-sr",
    role: "status",
    "aria-live": "polite",
    "aria-atomic": "true",
  });
  const host = el(doc, "div", { class: "epg-card" });
  root.replaceChildren(host, live);

  const view: PageView = {
    doc,
    t,
    current: () => current,
    show(name, heading, body, announce = heading, before = null) {
      if (deps.stopped()) return;
      current = name;
      root.setAttribute("data-state", name);
      const h1 = el(doc, "h1", { id: "epg-heading", class: "epg-heading", tabindex: "-1" }, [heading]);
      const section = el(
        doc,
        "section",
        { class: `epg-state epg-state-${name}`, "aria-labelledby": "epg-heading" },
        [before, h1, ...body, supportLine(doc, msg.support, config.supportContact)],
      );
      host.replaceChildren(section);
      live.textContent = announce;
      if (shown++ > 0) h1.focus();
    },
    showMessage(name, headingKey, bodyKey, extra = []) {
      const [heading, body] = [t(headingKey), t(bodyKey)];
      view.show(name, heading, [view.paragraph(body), ...extra], `${heading}. ${body}`);
    },
    announce: (text) => void (live.textContent = text),
    paragraph: (text, cls = "epg-text") => el(doc, "p", { class: cls }, [text]),
    backLink(readableEventId) {
      const href = readableEventId ? links.event(readableEventId) : links.site("/");
      return el(doc, "p", { class: "epg-actions" }, [
        el(doc, "a", { class: "epg-link", href }, [t(readableEventId ? "backToEvent" : "backToSite")]),
      ]);
    },
    button(label, action) {
      const button = el(doc, "button", { type: "button", class: "epg-button epg-button-primary" }, [label]);
      button.addEventListener("click", () => {
        if (button.disabled) return;
        button.disabled = true;
        action();
      });
      return el(doc, "p", { class: "epg-actions" }, [button]);
    },
  };
  return view;
}
