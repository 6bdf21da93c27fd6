// The gateway page's behaviour: find the purchase, ask the endpoint for the order, show it with a
// countdown, send the attendee to the provider, and after the return follow the purchase's status
// until it settles. Every dependency on the browser is passed in, so tests drive it in jsdom with
// a fake endpoint and a fake clock.
import { el } from "./dom";
import type { Child } from "./dom";
import { createEndpointClient } from "./endpoint-client";
import type { Checkout, PurchaseStatus, StatusAnswer } from "./endpoint-client";
import { EndpointHttpError } from "./errors";
import { formatMoney } from "./format-money";
import { formatMessage, pickCatalogue } from "./messages/index";
import type { MessageKey } from "./messages/index";
import type { GatewayConfig } from "./read-config";
import { readPurchaseIds } from "./read-purchase-ids";

export interface GatewayPageOptions {
  /** Stop offering payment this long before the purchase expires (default 3 minutes). */
  payMarginMs?: number;
  /** First delay between status polls (default 1 s); grows by half each time up to pollMaxMs. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Stop polling and offer a retry after this long without a settled status (default 10 minutes). */
  pollGiveUpMs?: number;
  /** Consecutive failed polls before the page says the endpoint is unreachable (default 3). */
  pollFailuresBeforeUnreachable?: number;
  /**
   * Query parameters that say the attendee comes back from the provider (any case). The page adds
   * the first to its return URL; the endpoint adds its own (`gatewayReturn=success|cancel`). A value
   * starting with "cancel" means the attendee gave up at the provider: the page offers payment again.
   */
  returnMarkers?: string[];
  requestTimeoutMs?: number;
}

export interface GatewayPageDeps {
  root: HTMLElement;
  config: GatewayConfig;
  fetch: typeof fetch;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (id: number) => void;
  navigate: (url: string) => void;
  location: { href: string };
  sessionStorage: Pick<Storage, "getItem"> | null;
  options?: GatewayPageOptions;
}

export type ViewName =
  | "loading"
  | "checking"
  | "summary"
  | PurchaseStatus
  | "unreachable"
  | "stalled"
  | "missing"
  | "invalid"
  | "not_found"
  | "not_configured";

export interface GatewayPage {
  view(): ViewName;
  stop(): void;
}

const TERMINAL: ReadonlySet<PurchaseStatus> = new Set(["finalized", "refunded", "expired", "failed"]);

const STATUS_TEXT: Record<PurchaseStatus, [MessageKey, MessageKey]> = {
  awaiting_payment: ["awaitingHeading", "awaitingBody"],
  paid: ["paidHeading", "paidBody"],
  finalizing: ["finalizingHeading", "finalizingBody"],
  finalized: ["finalizedHeading", "finalizedBody"],
  refund_pending: ["refundPendingHeading", "refundPendingBody"],
  refunded: ["refundedHeading", "refundedBody"],
  expired: ["expiredHeading", "expiredBody"],
  failed: ["failedHeading", "failedBody"],
};

/** Maps the endpoint's optional refund reason to a sentence; unknown reasons get a general one. */
function refundReasonKey(reason: string | null): MessageKey {
  const r = (reason ?? "").toLowerCase();
  if (/deadline|late|expir|timeout/.test(r)) return "refundReasonDeadline";
  if (/amount|currency|mismatch/.test(r)) return "refundReasonMismatch";
  if (/reject|refus|full|capacity/.test(r)) return "refundReasonRejected";
  if (/duplicate|double|second|twice/.test(r)) return "refundReasonDuplicate";
  return "refundReasonOther";
}

/** "m:ss", or "h:mm:ss" from one hour up. */
function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function startGatewayPage(deps: GatewayPageDeps): GatewayPage {
  const { root, config } = deps;
  const doc = root.ownerDocument;
  const opts = deps.options ?? {};
  const payMarginMs = opts.payMarginMs ?? 3 * 60_000;
  const pollInitialMs = opts.pollInitialMs ?? 1000;
  const pollMaxMs = opts.pollMaxMs ?? 10_000;
  const pollGiveUpMs = opts.pollGiveUpMs ?? 10 * 60_000;
  const failuresBeforeUnreachable = opts.pollFailuresBeforeUnreachable ?? 3;
  const markers = (opts.returnMarkers ?? ["epg", "gatewayReturn"]).map((m) => m.toLowerCase());
  const msg = pickCatalogue(config.locale);
  const t = (key: MessageKey, values?: Record<string, string | number>) => formatMessage(msg[key], values);
  const here = new URL(deps.location.href);
  const siteUrl = (path: string) => new URL(path, here).href;
  const eventUrl = (rid: string) => siteUrl(`${config.eventPath || "/event"}?id=${encodeURIComponent(rid)}`);

  let current: ViewName = "loading";
  let shown = 0;
  let generation = 0; // bumps on every new flow; answers of an older flow are ignored
  let timer: number | null = null;
  let stopped = false;

  const client = createEndpointClient({
    endpointUrl: config.endpointUrl,
    fetch: deps.fetch,
    setTimeout: deps.setTimeout,
    clearTimeout: deps.clearTimeout,
    timeoutMs: opts.requestTimeoutMs,
  });

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

  function clearTimer(): void {
    if (timer !== null) deps.clearTimeout(timer);
    timer = null;
  }

  function schedule(fn: () => void, ms: number): void {
    clearTimer();
    if (!stopped) timer = deps.setTimeout(fn, ms);
  }

  function supportLine(): Child {
    const contact = config.supportContact;
    if (!contact) return null;
    const [before = "", after = ""] = msg.support.split("{contact}");
    let target: Child = contact;
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact))
      target = el(doc, "a", { href: `mailto:${contact}` }, [contact]);
    else if (/^https:\/\/\S+$/i.test(contact))
      target = el(doc, "a", { href: contact, rel: "noopener" }, [contact]);
    return el(doc, "p", { class: "epg-support" }, [before, target, after]);
  }

  /** Replaces the state section, announces it, and (after the first one) moves focus to its heading. */
  function show(
    view: ViewName,
    heading: string,
    body: Child[],
    announce: string = heading,
    before: Child = null,
  ): void {
    if (stopped) return;
    current = view;
    root.setAttribute("data-state", view);
    const h1 = el(doc, "h1", { id: "epg-heading", class: "epg-heading", tabindex: "-1" }, [heading]);
    const section = el(
      doc,
      "section",
      { class: `epg-state epg-state-${view}`, "aria-labelledby": "epg-heading" },
      [before, h1, ...body, supportLine()],
    );
    host.replaceChildren(section);
    live.textContent = announce;
    if (shown++ > 0) h1.focus();
  }

  function paragraph(text: string, cls = "epg-text"): HTMLParagraphElement {
    return el(doc, "p", { class: cls }, [text]);
  }

  function backLink(readableEventId: string | null): HTMLElement {
    const href = readableEventId ? eventUrl(readableEventId) : siteUrl("/");
    return el(doc, "p", { class: "epg-actions" }, [
      el(doc, "a", { class: "epg-link", href }, [t(readableEventId ? "backToEvent" : "backToSite")]),
    ]);
  }

  function retryButton(label: string, action: () => void): HTMLElement {
    const button = el(doc, "button", { type: "button", class: "epg-button epg-button-primary" }, [label]);
    button.addEventListener("click", () => {
      if (button.disabled) return;
      button.disabled = true;
      action();
    });
    return el(doc, "p", { class: "epg-actions" }, [button]);
  }

  function showMessage(
    view: ViewName,
    headingKey: MessageKey,
    bodyKey: MessageKey,
    extra: Child[] = [],
  ): void {
    show(view, t(headingKey), [paragraph(t(bodyKey)), ...extra], `${t(headingKey)}. ${t(bodyKey)}`);
  }

  // ---- arrival -------------------------------------------------------------------------------
  const ids = readPurchaseIds(here.href, deps.sessionStorage);
  if (!ids.ok) {
    const back = [backLink(ids.readableEventId)];
    if (ids.reason === "missing") showMessage("missing", "missingIdHeading", "missingIdBody", back);
    else showMessage("invalid", "invalidIdHeading", "invalidIdBody", back);
    return handle();
  }
  const { purchaseId, readableEventId } = ids;
  if (!config.endpointUrl) {
    showMessage("not_configured", "notConfiguredHeading", "notConfiguredBody", [backLink(readableEventId)]);
    return handle();
  }

  function returnUrl(): string {
    const url = new URL(here.href);
    url.hash = "";
    for (const key of [...url.searchParams.keys()]) {
      if (markers.includes(key.toLowerCase())) url.searchParams.delete(key);
    }
    if (!ids.ok || !ids.fromQuery) url.searchParams.set("purchaseId", purchaseId);
    url.searchParams.set(markers[0] ?? "epg", "return");
    return url.href;
  }

  // ---- checkout and summary ------------------------------------------------------------------
  async function checkout(): Promise<void> {
    const mine = ++generation;
    clearTimer();
    show("loading", t("loadingHeading"), [paragraph(t("loadingBody"))]);
    let order: Checkout;
    try {
      order = await client.startCheckout({
        purchaseId,
        readableEventId,
        ...(config.userId ? { userId: config.userId } : {}),
        locale: config.locale,
        returnUrl: returnUrl(),
      });
    } catch (error) {
      if (mine !== generation) return;
      const status = error instanceof EndpointHttpError ? error.status : 0;
      if (status === 409) return void poll();
      if (status === 410)
        return showMessage("expired", "expiredHeading", "expiredBody", [backLink(readableEventId)]);
      if (status === 404)
        return showMessage("not_found", "notFoundHeading", "notFoundBody", [backLink(readableEventId)]);
      if (status === 400)
        return showMessage("invalid", "invalidIdHeading", "invalidIdBody", [backLink(readableEventId)]);
      return showMessage("unreachable", "unreachableHeading", "unreachableBody", [
        retryButton(t("retryButton"), () => void checkout()),
      ]);
    }
    if (mine !== generation) return;
    showSummary(order);
  }

  function showSummary(order: Checkout): void {
    const money = (minor: number) => formatMoney(minor, order.currency, config.locale);
    const total = money(order.amountMinor);
    const closeAt = order.expiresAt - payMarginMs;
    let paying = false;

    const attendees = order.attendees.map((a, i) =>
      el(doc, "li", { class: "epg-attendee" }, [
        el(doc, "span", { class: "epg-attendee-name" }, [a.name ?? t("attendeeFallback", { n: i + 1 })]),
        a.passName ? el(doc, "span", { class: "epg-pass" }, [a.passName]) : null,
        a.amountMinor !== null && order.attendees.length > 1
          ? el(doc, "span", { class: "epg-pass-price" }, [money(a.amountMinor)])
          : null,
      ]),
    );
    const countdown = el(doc, "p", { class: "epg-countdown", role: "timer" });
    const pay = el(doc, "button", { type: "button", class: "epg-button epg-button-primary epg-pay" }, [
      t("payButton", { amount: total }),
    ]);
    const cancel = el(doc, "a", { class: "epg-link epg-cancel", href: eventUrl(readableEventId) }, [
      t("cancelLink"),
    ]);
    const rawProvider = order.provider || config.provider || "";
    // A lower-case id such as "stripe" reads better as a name; a setting written with capitals is kept.
    const provider =
      rawProvider === rawProvider.toLowerCase()
        ? rawProvider.charAt(0).toUpperCase() + rawProvider.slice(1)
        : rawProvider;
    const heading = order.eventName ?? t("summaryFallbackTitle");

    pay.addEventListener("click", () => {
      if (paying || pay.disabled) return;
      if (deps.now() >= closeAt) return void closeOffer();
      paying = true;
      pay.disabled = true;
      pay.setAttribute("aria-busy", "true");
      pay.textContent = t("payPressed");
      live.textContent = t("payPressed");
      clearTimer();
      deps.navigate(order.redirectUrl);
    });

    function closeOffer(): void {
      if (paying) return;
      pay.disabled = true;
      showMessage("expired", "expiredHeading", "expiredBody", [backLink(readableEventId)]);
    }

    function tick(): void {
      const left = closeAt - deps.now();
      if (left <= 0) return closeOffer();
      countdown.textContent = t("timeLeft", { time: formatRemaining(left) });
      countdown.classList.toggle("epg-countdown-urgent", left < 2 * 60_000);
      schedule(tick, left % 1000 || 1000);
    }

    if (deps.now() >= closeAt) return closeOffer();
    show(
      "summary",
      heading,
      [
        attendees.length ? el(doc, "h2", { class: "epg-subheading" }, [t("attendeesHeading")]) : null,
        attendees.length ? el(doc, "ul", { class: "epg-attendees" }, attendees) : null,
        el(doc, "dl", { class: "epg-total" }, [
          el(doc, "dt", {}, [t("totalLabel")]),
          el(doc, "dd", {}, [total]),
        ]),
        countdown,
        el(doc, "div", { class: "epg-actions" }, [pay, cancel]),
        paragraph(provider ? t("secureNoteProvider", { provider }) : t("secureNote"), "epg-note"),
      ],
      `${heading}. ${t("totalLabel")}: ${total}`,
      paragraph(t("summaryKicker"), "epg-kicker"),
    );
    tick();
  }

  // ---- after the provider: follow the status ---------------------------------------------------
  function poll(): void {
    const mine = ++generation;
    clearTimer();
    const startedAt = deps.now();
    let attempt = 0;
    let failures = 0;
    let lastStatus: PurchaseStatus | null = null;
    show("checking", t("checkingHeading"), [paragraph(t("checkingBody"))]);

    const next = () => {
      schedule(() => void once(), Math.min(pollMaxMs, pollInitialMs * 1.5 ** attempt));
      attempt++;
    };

    async function once(): Promise<void> {
      let answer: StatusAnswer;
      try {
        answer = await client.getStatus(purchaseId);
      } catch (error) {
        if (mine !== generation) return;
        const status = error instanceof EndpointHttpError ? error.status : 0;
        if (status === 404)
          return showMessage("not_found", "notFoundHeading", "notFoundBody", [backLink(readableEventId)]);
        if (status === 400)
          return showMessage("invalid", "invalidIdHeading", "invalidIdBody", [backLink(readableEventId)]);
        if (++failures >= failuresBeforeUnreachable) {
          return showMessage("unreachable", "unreachableHeading", "unreachableBody", [
            retryButton(t("retryButton"), poll),
          ]);
        }
        return next();
      }
      if (mine !== generation) return;
      failures = 0;
      if (answer.status !== lastStatus) showStatus(answer);
      lastStatus = answer.status;
      if (answer.status === "finalized") {
        const rid = answer.readableEventId ?? readableEventId;
        const path = config.confirmationPath || "/event/confirmation";
        return deps.navigate(siteUrl(`${path}?id=${encodeURIComponent(rid)}`));
      }
      if (TERMINAL.has(answer.status)) return;
      if (deps.now() - startedAt >= pollGiveUpMs) {
        return showMessage("stalled", "stalledHeading", "stalledBody", [retryButton(t("retryButton"), poll)]);
      }
      next();
    }

    void once();
  }

  function showStatus(answer: StatusAnswer): void {
    const [headingKey, bodyKey] = STATUS_TEXT[answer.status];
    let body: Child[] = [paragraph(t(bodyKey))];
    let announce = `${t(headingKey)}. ${t(bodyKey)}`;
    if (answer.status === "refunded") {
      const why = t(refundReasonKey(answer.reason));
      body = [paragraph(why), ...body, paragraph(t("refundedTiming")), backLink(readableEventId)];
      announce = `${t(headingKey)}. ${why} ${t(bodyKey)}`;
    }
    if (answer.status === "expired" || answer.status === "failed") body.push(backLink(readableEventId));
    if (answer.status === "awaiting_payment")
      body.push(retryButton(t("resumePayment"), () => void checkout()));
    show(answer.status, t(headingKey), body, announce);
  }

  function handle(): GatewayPage {
    return {
      view: () => current,
      stop: () => {
        stopped = true;
        generation++;
        clearTimer();
      },
    };
  }

  const markerValues = [...here.searchParams]
    .filter(([key]) => markers.includes(key.toLowerCase()))
    .map(([, value]) => value.toLowerCase());
  if (markerValues.length > 0 && !markerValues.some((v) => v.startsWith("cancel"))) poll();
  else void checkout();
  return handle();
}
