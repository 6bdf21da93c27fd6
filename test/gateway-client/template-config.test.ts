// Renders the web template the way it will be rendered twice in real life: first the build-time
// slots ([[ ]] / [% %]), then the runtime Power Pages Liquid (here liquidjs) with hostile setting
// values, and checks that the page reads back exactly the values that went in.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../gateway-client/read-config";
import { renderTemplate } from "../../scripts/build/render-template";

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, "../../portal-templates/payment-gateway.html"), "utf8");
const SCRIPT = "window.__epgRan=1;var a={b:{c:1}};/*{{ not liquid }}{% if x %}*/";
const STYLE = ".epg{color:#000}";

const runtime = new Liquid({ strictFilters: true });

const names = {
  endpoint_url: "PaymentGateway/EndpointUrl",
  provider: "PaymentGateway/Provider",
  support_contact: "PaymentGateway/SupportContact",
};

/** Both passes over the template; the build-time one is the build's own renderer. */
async function renderHtml(
  scope: Record<string, unknown>,
  useWebsiteHeaderAndFooter: boolean,
): Promise<string> {
  const built = renderTemplate(
    source,
    {
      client_script: SCRIPT,
      client_style: STYLE,
      kit_version: "0.1.0",
      settings: names,
      page: { name: "Payment Gateway", partial_url: "payment-gateway", title: "Payment" },
      page_template: { use_website_header_and_footer: useWebsiteHeaderAndFooter },
      event_portal: { event_path: "/events/detail", confirmation_path: "/events/done" },
    },
    "payment-gateway.html",
  );
  return (await runtime.parseAndRender(built, scope)) as string;
}

/** The page as the portal serves it with the site header and footer: our fragment inside its layout. */
async function renderPage(scope: Record<string, unknown>): Promise<Document> {
  const html = await renderHtml(scope, true);
  return new DOMParser().parseFromString(`<!doctype html><html><body>${html}</body></html>`, "text/html");
}

const HOSTILE = [
  `"><script>alert(1)</script>`,
  `' onmouseover='alert(1)`,
  `back\\slash\\" and \\u0022`,
  `</div><div id="epg-config" data-endpoint-url="https://evil.example">`,
  `line one\nline two\ttab`,
  `&amp; &lt; &#34; literal entities`,
  `{{ settings }} {% raw %}`,
  `Ünïcödé ✓ 支払い`,
];

describe("the template's configuration block", () => {
  it.each(HOSTILE)("carries %j through unchanged and cannot be broken out of", async (value) => {
    const doc = await renderPage({
      settings: {
        [names.endpoint_url]: "https://gateway.example.test/",
        [names.provider]: value,
        [names.support_contact]: value,
      },
      user: null,
      request: { params: {} },
    });
    const config = readConfig(doc);
    expect(config.provider).toBe(value.trim());
    expect(config.supportContact).toBe(value.trim());
    expect(config.endpointUrl).toBe("https://gateway.example.test");
    expect(doc.querySelectorAll("#epg-config")).toHaveLength(1);
    expect(doc.querySelectorAll("script")).toHaveLength(1);
    expect(doc.querySelector("script")?.textContent).toBe(SCRIPT);
    expect(doc.querySelector("style")?.textContent).toBe(STYLE);
  });

  it("refuses a hostile endpoint URL instead of calling it", async () => {
    const doc = await renderPage({
      settings: { [names.endpoint_url]: "javascript:alert(1)" },
      user: null,
      request: { params: {} },
    });
    expect(readConfig(doc).endpointUrl).toBe("");
  });

  it("renders the signed-in contact id, and null for anonymous", async () => {
    const id = "9A1C7E2B-7F5E-4F0E-9D1C-2B3A4C5D6E7F";
    const signedIn = await renderPage({ settings: {}, user: { id }, request: { params: {} } });
    expect(readConfig(signedIn).userId).toBe(id.toLowerCase());
    const anonymous = await renderPage({ settings: {}, user: null, request: { params: {} } });
    expect(readConfig(anonymous).userId).toBeNull();
    const tampered = await renderPage({
      settings: {},
      user: { id: `x" data-user-id="${id}` },
      request: { params: {} },
    });
    expect(readConfig(tampered).userId).toBeNull();
    const braced = await renderPage({ settings: {}, user: { id: `{${id}}` }, request: { params: {} } });
    expect(readConfig(braced).userId).toBe(id.toLowerCase());
    const halfBraced = await renderPage({ settings: {}, user: { id: `{${id}` }, request: { params: {} } });
    expect(readConfig(halfBraced).userId).toBeNull();
  });

  it("takes the language from the portal, then ?lang=, then <html lang>, then en-US", async () => {
    const both = await renderPage({
      settings: {},
      user: null,
      website: { selected_language: { code: "fr-FR" } },
      request: { params: { lang: "de-DE" } },
    });
    expect(readConfig(both).locale).toBe("fr-FR");
    const param = await renderPage({ settings: {}, user: null, request: { params: { lang: "fr-CA" } } });
    expect(readConfig(param).locale).toBe("fr-CA");
    const none = await renderPage({ settings: {}, user: null, request: { params: {} } });
    expect(readConfig(none).locale).toBe("en-US");
    none.documentElement.lang = "fr-FR";
    expect(readConfig(none).locale).toBe("fr-FR");
    const junk = await renderPage({ settings: {}, user: null, request: { params: { lang: `"><b>x` } } });
    expect(readConfig(junk).locale).toBe("en-US");
  });

  it("leaves every value empty when the settings are missing", async () => {
    const doc = await renderPage({ settings: {}, user: null, request: { params: {} } });
    expect(readConfig(doc)).toEqual({
      endpointUrl: "",
      provider: "",
      supportContact: "",
      userId: null,
      locale: "en-US",
      eventPath: "/events/detail",
      confirmationPath: "/events/done",
      kitVersion: "0.1.0",
    });
  });
});

describe("the template with the site header and footer off", () => {
  const scope = {
    settings: { [names.endpoint_url]: "https://gateway.example.test" },
    user: null,
    page: { title: `Pay <now> & "go"` },
    website: { selected_language: { code: "fr-FR" } },
    request: { params: {} },
  };

  it("is a complete document in standards mode, style in the head", async () => {
    const html = await renderHtml(scope, false);
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    const doc = new DOMParser().parseFromString(html, "text/html");
    expect(doc.compatMode).toBe("CSS1Compat");
    expect(doc.documentElement.lang).toBe("fr-FR");
    expect(doc.title).toBe(`Pay <now> & "go"`);
    expect(doc.querySelector('head meta[name="viewport"]')).not.toBeNull();
    expect(doc.head.querySelector("style")?.textContent).toBe(STYLE);
    expect(doc.body.querySelector("#epg-root")).not.toBeNull();
    expect(doc.body.querySelector("script")?.textContent).toBe(SCRIPT);
    expect(doc.querySelectorAll("script, style, #epg-config")).toHaveLength(3);
    expect(readConfig(doc)).toMatchObject({ endpointUrl: "https://gateway.example.test", locale: "fr-FR" });
  });

  it("leaves lang out when the portal gives no language, and the fragment has no document parts when the header is on", async () => {
    const anonymous = await renderHtml({ ...scope, website: {} }, false);
    expect(anonymous).toMatch(/^<!DOCTYPE html>\n<html>\n<head>/);
    const fragment = await renderHtml(scope, true);
    expect(fragment).not.toMatch(/<!DOCTYPE|<html|<head|<body|<\/body>|<\/html>|<title/i);
    expect(fragment.startsWith("<style>")).toBe(true);
  });
});

describe("the Event Portal paths", () => {
  it.each(["//evil.example/event", "https://evil.example/event", "event", "/event?x=1", "/a b", "/a\\b"])(
    "refuses %j, leaving the page's own default",
    (value) => {
      const doc = new DOMParser().parseFromString('<div id="epg-config"></div>', "text/html");
      doc.getElementById("epg-config")?.setAttribute("data-event-path", value);
      doc.getElementById("epg-config")?.setAttribute("data-confirmation-path", value);
      expect(readConfig(doc)).toMatchObject({ eventPath: "", confirmationPath: "" });
    },
  );
});
