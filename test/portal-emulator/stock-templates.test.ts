// What stock Power Pages templates use, on the stock fixture (Microsoft-style header, footer and
// Home) and in isolation: built-in web templates, search and knowledge filters, Rewrite page
// templates without a type, editable's documented defaults, bare language codes.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSiteFolder } from "../../power-pages/index";
import { builtinTemplateNames } from "../../portal-emulator/builtin-templates";
import { defaultFixtures } from "../../portal-emulator/fixtures";
import { createSiteRenderer } from "../../portal-emulator/render-page";
import { createTestEngine } from "./render-helper";

const stockSite = fileURLToPath(new URL("../fixtures/stock-site/", import.meta.url));
const renderer = createSiteRenderer({ site: loadSiteFolder(stockSite), fixtures: defaultFixtures });
const get = (path: string, language = "en") =>
  renderer.renderPage({ url: `http://127.0.0.1${path}`, language });
const liquidLeft = (html: string) => /\{%|\{\{/.test(html);

describe("stock templates on the stock fixture", () => {
  it("renders Home with header, footer, snippet includes, entity list and knowledge filters, no Liquid left", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.body).toContain('<header class="site-header">');
    expect(page.body).toContain('<footer class="site-footer">');
    expect(page.body).toContain("Woodgrove</div>"); // the snippet's own {% if %} ran (liquid on by default)
    expect(page.body).toContain('data-liquid-tag="entity_list"');
    expect(page.body).toContain("[entity list Upcoming Events:");
    expect(page.body).toContain('<p class="no-category"></p>');
    expect(page.body).toContain('<option value="msevtmgt_event,msevtmgt_session">Events</option>');
    expect(page.body).not.toContain("[object Object]");
    expect(liquidLeft(page.body)).toBe(false);
  });

  it("shows a Rewrite page template without a type as a visible placeholder inside the layout", async () => {
    const page = await get("/search/");
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      "rewrite page template &quot;Search&quot; url: &#39;~/Areas/Search/Pages/Search.aspx&#39;",
    );
    expect(page.body).toContain('<footer class="site-footer">');
  });

  it("serves both same-name pages under Home by their own partial URLs", async () => {
    expect((await get("/profile/")).status).toBe(200);
    expect((await get("/my-profile/")).status).toBe(200);
  });

  it("serves a partial URL in Japanese, requested percent-encoded as browsers send it", async () => {
    const page = await get(`/${encodeURIComponent("お問い合わせ")}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>お問い合わせ</title>");
  });

  it("picks the fr language for a request asking fr-FR", async () => {
    const page = await get("/", "fr-FR");
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain("Accueil");
  });
});

describe("built-in web templates and filters", () => {
  it("has a stand-in for every documented built-in, each rendering without error", async () => {
    const { render } = createTestEngine();
    const scope = {
      page: { title: "T", adx_copy: "<p>c</p>", breadcrumbs: [], children: [] },
      weblinks: {},
      snippets: {},
    };
    for (const name of builtinTemplateNames) {
      const html = await render(`{% include '${name}' %}`, scope);
      expect(liquidLeft(html), name).toBe(false);
    }
    expect(builtinTemplateNames).toEqual(
      expect.arrayContaining([
        "snippet",
        "entity_list",
        "breadcrumbs",
        "page_copy",
        "layout_1_column",
        "layout_2_column_wide_left",
        "layout_2_column_wide_right",
      ]),
    );
  });

  it("includes a snippet by name, as Liquid, and accepts the spaced names", async () => {
    const { render } = createTestEngine();
    const html = await render("{% include 'Snippet' snippet_name: 'Greeting' %}", {
      snippets: { Greeting: "Hello {{ 'you' | upcase }}" },
    });
    expect(html).toContain("Hello YOU");
    expect(await render("{% include 'Page Copy' %}", { page: { adx_copy: "copy" } })).toContain("copy");
  });

  it("turns Search/Filters into options and trims knowledge lists", async () => {
    const { render } = createTestEngine();
    const options =
      "{% assign o = s | search_filter_options %}{% for x in o %}{{ x.display_name }}={{ x.value }};{% endfor %}";
    expect(await render(options, { s: "Content:adx_webpage;Help Desk:incident" })).toBe(
      "Content=adx_webpage;Help Desk=incident;",
    );
    const list = [
      { title: "a", categorynumber: "CAT-1" },
      { title: "b", categorynumber: "CAT-2" },
    ];
    expect(await render("{{ l | popular: 1 | size }}|{{ l | top_level: 5 | size }}", { l: list })).toBe(
      "1|2",
    );
    expect(await render("{% assign c = l | category_number: 'cat-2' %}{{ c.title }}", { l: list })).toBe("b");
  });

  it("renders editable values as Liquid unless liquid: false", async () => {
    const { render } = createTestEngine();
    const scope = { snippets: { S: "{% if true %}yes{% endif %}" } };
    expect(await render("{% editable snippets 'S' type: 'html' %}", scope)).toContain(">yes<");
    expect(await render("{% editable snippets 'S' type: 'html', liquid: false %}", scope)).toContain(
      "{% if true %}",
    );
  });
});
