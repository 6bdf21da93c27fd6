import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSiteFolder } from "../../power-pages/index";
import { defaultFixtures } from "../../portal-emulator/fixtures";
import { createSiteRenderer } from "../../portal-emulator/render-page";
import { renderLiquidSource } from "../../portal-emulator/render-template";

const site = loadSiteFolder(fileURLToPath(new URL("../fixtures/standard-site/", import.meta.url)));
const fixtures = {
  ...defaultFixtures,
  rows: { msevtmgt_event: [{ msevtmgt_eventid: "e1", msevtmgt_name: "Expo" }] },
};
const renderer = createSiteRenderer({ site, fixtures });

async function probe(
  source: string,
  path: string,
  options: { language?: string; user?: boolean } = {},
): Promise<string> {
  const scope = renderer.scopeFor({
    url: `http://127.0.0.1${path}`,
    ...(options.language ? { language: options.language } : {}),
    ...(options.user ? { user: defaultFixtures.contacts?.[0] } : {}),
    now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  });
  if (!scope) throw new Error(`no page at ${path}`);
  return renderLiquidSource(renderer.liquid, source, scope, "Probe");
}

describe("objects built from the site folder", () => {
  it("page: title and copy in the requested language, parent, children, breadcrumbs", async () => {
    expect(
      await probe(
        "{{ page.title }}|{{ page.url }}|{{ page.parent.title }}|{% for c in page.breadcrumbs %}{{ c.title }}>{% endfor %}",
        "/event/confirmation/",
        { language: "fr-FR" },
      ),
    ).toMatch(/^[^|]+\|\/event\/confirmation\/\|Événement\|Accueil>Événement>$/);
    expect(await probe("{% for c in page.children %}{{ c.url }};{% endfor %}", "/")).toBe("/event/;/about/;");
  });

  it("website with selected_language, settings, snippets per language, sitemarkers, weblinks, sitemap", async () => {
    const source =
      "{{ website.adx_name }}|{{ website.selected_language.code }}|{{ settings['Event/ApiBaseUrl'] }}|{{ snippets['Site Name'] }}|" +
      "{{ sitemarkers['Event'].url }}|{% for l in weblinks['Default'].weblinks %}{{ l.name }}={{ l.url }};{% endfor %}|{{ sitemap.root.children.size }}";
    expect(await probe(source, "/", { language: "fr-FR" })).toBe(
      "Contoso Events - contosoevents|fr-FR|https://events.contoso.example/api|Contoso Events|/event/|Accueil=/;Événement=/event/;À propos=/about/;|2",
    );
  });

  it("request, params, user (null when anonymous, roles when signed in), now in UTC, entities from fixtures", async () => {
    expect(
      await probe(
        "{{ request.path }}|{{ request.query }}|{{ params.id }}|{% if user %}in{% else %}anon{% endif %}",
        "/event/?id=x1",
      ),
    ).toBe("/event/|?id=x1|x1|anon");
    expect(
      await probe("{{ user.fullname }}|{{ user.id }}|{{ user | has_role: 'Authenticated Users' }}", "/", {
        user: true,
      }),
    ).toBe("Alice Martin|cccccccc-0000-4000-8000-000000000001|true");
    expect(
      await probe(
        "{{ now | date: 'yyyy-MM-dd HH:mm' }}|{{ now }}|{{ entities.msevtmgt_event['e1'].msevtmgt_name }}",
        "/",
      ),
    ).toBe("2026-01-02 03:04|1/2/2026 3:04:05 AM|Expo");
  });

  it("serves the language from a /<code>/ URL prefix", async () => {
    expect(await probe("{{ language.code }}|{{ page.title }}", "/fr-FR/")).toBe("fr-FR|Accueil");
  });
});
