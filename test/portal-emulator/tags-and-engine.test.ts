import { describe, expect, it } from "vitest";
import { createTestEngine } from "./render-helper";

const rows = {
  msevtmgt_event: [
    {
      msevtmgt_eventid: "e1",
      msevtmgt_name: "Zeta Summit",
      msevtmgt_readableeventid: "zeta_1",
      msevtmgt_capacity: 50,
    },
    {
      msevtmgt_eventid: "e2",
      msevtmgt_name: "Alpha Day",
      msevtmgt_readableeventid: "alpha_2",
      msevtmgt_capacity: 10,
    },
    {
      msevtmgt_eventid: "e3",
      msevtmgt_name: "Beta Night",
      msevtmgt_readableeventid: "beta_3",
      msevtmgt_capacity: 200,
    },
  ],
};

describe("Dataverse and portal tags", () => {
  const logs: string[] = [];
  const { render } = createTestEngine({}, rows, logs);

  it("fetchxml queries fixture rows with filters, order, count and Liquid inside the query", async () => {
    const source = `{% fetchxml q %}<fetch count="2"><entity name="msevtmgt_event"><attribute name="msevtmgt_name" />
<filter type="or"><condition attribute="msevtmgt_capacity" operator="ge" value="{{ min }}" /><condition attribute="msevtmgt_readableeventid" operator="begins-with" value="alpha" /></filter>
<order attribute="msevtmgt_name" /></entity></fetch>{% endfetchxml %}{% for e in q.results.entities %}{{ e.msevtmgt_name }}/{{ e.id }};{% endfor %}{{ q.results.more_records }}|{{ q.xml contains 'fetch' }}`;
    expect(await render(source, { min: 40 })).toBe("Alpha Day/e2;Beta Night/e3;true|true");
  });

  it("fetchxml on a table without fixture rows gives an empty result, not an error", async () => {
    expect(
      await render(
        `{% fetchxml q %}<fetch><entity name="account" /></fetch>{% endfetchxml %}{{ q.results.entities.size }}`,
      ),
    ).toBe("0");
  });

  it("editable renders the attribute inside the portal wrapper, as Liquid when liquid: true", async () => {
    const page = { adx_copy: "<p>{{ site }}</p>", adx_title: "T <1>" };
    expect(
      await render("{% editable page 'adx_copy' type: 'html', liquid: true %}", { page, site: "S" }),
    ).toBe(
      '<div class="xrm-attribute xrm-editable-html"><div class="xrm-attribute-value"><p>S</p></div></div>',
    );
    expect(await render("{% editable page 'adx_title' escape: true, class: 'x' %}", { page })).toBe(
      '<span class="xrm-attribute xrm-editable-text x"><span class="xrm-attribute-value">T &lt;1&gt;</span></span>',
    );
    expect(await render("{% editable snippets 'Missing' default: 'fallback' %}", { snippets: {} })).toContain(
      ">fallback<",
    );
  });

  it.each([
    "entityform name: 'Registration'",
    "webform name: 'Wizard'",
    "chart id: 'c1' viewid: 'v1'",
    "powerbi path: 'https://app.powerbi.com/x'",
    "codecomponent name: 'cc_x'",
  ])("%s renders a visible placeholder", async (tag) => {
    const html = await render(`{% ${tag} %}`);
    const name = tag.split(" ")[0] as string;
    expect(html).toContain(`class="pp-preview-placeholder" data-liquid-tag="${name}"`);
    expect(html).toContain("not by the local preview");
  });

  it.each(["entitylist", "entityview", "searchindex"])(
    "%s block renders a placeholder and its body with an empty result",
    async (tag) => {
      const html = await render(
        `{% ${tag} name: 'L' %}[{{ ${tag}.records.size }}{{ ${tag}.results.size }}]{% end${tag} %}`,
      );
      expect(html).toContain(`data-liquid-tag="${tag}"`);
      expect(html).toContain("[0]");
    },
  );

  it("substitution renders its body; manifest swallows it; log goes to the logger; outputcache/redirect/rating are no-ops", async () => {
    expect(await render("{% substitution %}<b>{{ x }}</b>{% endsubstitution %}", { x: 1 })).toBe("<b>1</b>");
    expect(await render('{% manifest %}{"type":"Functional"}{% endmanifest %}ok')).toBe("ok");
    expect(await render("{% log message: 'hello', level: 'Warning' %}x")).toBe("x");
    expect(logs).toContain("Warning:hello");
    expect(await render("{% outputcache %}a{% endoutputcache %}{% redirect %}{% rating %}")).toBe("a");
  });
});

describe("engine configuration", () => {
  const templates = {
    "Layout Base":
      "<main>{% block main %}base{% endblock %}</main><aside>{% block side %}side{% endblock %}</aside>",
    "Child Page": "{% extends 'layout base' %}{% block main %}child {{ who }}{% endblock %}",
    Greeting: "Hello {{ name }} from {{ city }}",
    Broken: "ok\nline two {% unknown_tag %}",
    "Uses Missing": "x\n\n   {% include 'No Such Template' %}",
    "Bad Filter": "{{ 1 | plus: 1 }}\n{{ 'a' | sha256 }}",
  };
  const { liquid, render } = createTestEngine(templates);

  it("includes web templates by name, case-insensitively, with key: value parameters", async () => {
    expect(
      await render(
        "{% include 'greeting' name: 'Ana', city: who %}|{% include 'GREETING' name: 'Bo' city: 'Oslo' %}",
        { who: "Lyon" },
      ),
    ).toBe("Hello Ana from Lyon|Hello Bo from Oslo");
  });

  it("extends a layout web template and fills its blocks", async () => {
    expect(await render("{% include 'Child Page' %}", { who: "me" })).toBe(
      "<main>child me</main><aside>side</aside>",
    );
  });

  it("offers built-in stand-ins (Page Copy, breadcrumbs, Layout 1 Column) when the site has none", async () => {
    const page = { title: "Event", adx_copy: "<p>copy</p>", breadcrumbs: [{ title: "Home", url: "/" }] };
    const html = await render("{% extends 'Layout 1 Column' %}", { page });
    expect(html).toContain('<li><a href="/">Home</a></li>');
    expect(html).toContain("<p>copy</p>");
  });

  it("accepts elseif and the startswith/endswith operators", async () => {
    const source =
      "{% for n in list %}{% if n startswith 'ab' %}A{% elseif n endswith 'yz' %}Z{%- elseif n == '' -%}E{% else %}-{% endif %}{% endfor %}";
    expect(await render(source, { list: ["abc", "xyz", "", "q"] })).toBe("AZE-");
  });

  it("treats empty strings as true, as DotLiquid does (jsTruthy off)", async () => {
    expect(
      await render("{% if s %}yes{% endif %}{% if 0 %}zero{% endif %}{% if n %}no{% endif %}", { s: "" }),
    ).toBe("yeszero");
  });

  it.each([
    ["Broken", "Broken", 2, 10, /unknown_tag/],
    ["Uses Missing", "Uses Missing", 3, 4, /No Such Template/],
    ["Bad Filter", "Bad Filter", 2, 1, /sha256/],
  ])("an error in %s names the template, line and column", async (name, template, line, column, reason) => {
    const error = await render(`{% include '${name}' %}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "TEMPLATE_ERROR", templateName: template, line, column });
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain(`Template "${template}" line ${line}, column ${column}`);
  });

  it("does not offer liquidjs-only tags", async () => {
    await expect(render("{% render 'Greeting' %}")).rejects.toMatchObject({
      code: "TEMPLATE_ERROR",
      line: 1,
    });
    expect(liquid.tags["extends"]).toBeDefined();
  });
});
