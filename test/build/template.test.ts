import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { escapeForScriptElement, escapeForStyleElement } from "../../scripts/build/bundle-client";
import { composeArtifacts, insertClientCode } from "../../scripts/build/compose-artifacts";
import { hashInlineElements } from "../../scripts/build/csp-hashes";
import { loadDefinitions } from "../../scripts/build/definitions";
import { BuildError } from "../../scripts/build/errors";
import { renderTemplate } from "../../scripts/build/render-template";
import type { TemplateSlots } from "../../scripts/build/render-template";
import { fakeClient, makeTemp, removeTemps, repoRoot, testConfig, testTemplate } from "./helpers";

afterEach(removeTemps);

const slots: TemplateSlots = {
  client_script: "S",
  client_style: "C",
  kit_version: "1.2.3",
  settings: { endpoint_url: "PaymentGateway/EndpointUrl" },
  page: { name: "Payment Gateway", partial_url: "payment-gateway", title: "Payment" },
  page_template: { use_website_header_and_footer: true },
  event_portal: { event_path: "/event", confirmation_path: "/event/confirmation" },
};

function compose(templateText: string, client = fakeClient) {
  const dir = makeTemp("epg-template-");
  const templatePath = join(dir, "t.html");
  writeFileSync(templatePath, templateText);
  const { definitions } = loadDefinitions(join(repoRoot, "portal-templates", "definitions.yml"), testConfig);
  return composeArtifacts({
    clientDir: dir,
    templatePath,
    definitions,
    kitVersion: "1.2.3",
    repoRoot: dir,
    client,
  });
}

describe("build-time slots", () => {
  it("lets runtime Power Pages Liquid through byte for byte", () => {
    const runtime = [
      "{% comment %}x{% endcomment %}{{ user.id | escape }}",
      "{%- if user -%}{{ user.fullname }}{% elseif page %}{{ page.title | h }}{% endif %}",
      "{% fetchxml q %}<fetch><entity name='contact'/></fetch>{% endfetchxml %}",
      "{{ settings['Some/Setting'] | default: 'x' }} {% include 'Page Copy' a: 1 %} {% raw %}{{ x }}{% endraw %}",
    ].join("\n");
    expect(renderTemplate(runtime, slots, "t.html")).toBe(runtime);
  });

  it("fills slots, including a setting name inside runtime Liquid", () => {
    const out = renderTemplate(
      "{{ settings['[[ settings.endpoint_url ]]'] | escape }} v[[ kit_version ]] [% if page.title %]/[[ page.partial_url ]]/[% endif %]",
      slots,
      "t.html",
    );
    expect(out).toBe("{{ settings['PaymentGateway/EndpointUrl'] | escape }} v1.2.3 /payment-gateway/");
  });

  it("fails on an unknown slot, naming the file and line", () => {
    const error = (() => {
      try {
        renderTemplate("line one\n<p>[[ settings.nope ]]</p>", slots, "portal-templates/x.html");
      } catch (e) {
        return e;
      }
      return null;
    })() as BuildError;
    expect(error).toBeInstanceOf(BuildError);
    expect(error.code).toBe("TEMPLATE_SLOT_ERROR");
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^portal-templates\/x\.html line 2: .*nope.*Known slots: client_script/);
  });

  it("fails on an unknown filter, naming the file and line", () => {
    expect(() => renderTemplate("a\nb\n[[ kit_version | shout ]]", slots, "t.html")).toThrow(
      /t\.html line 3: .*shout/,
    );
  });
});

describe("inlined client", () => {
  it("escapes what would end the element early", () => {
    expect(escapeForScriptElement('a="</script><!--"')).toBe('a="<\\/script><\\!--"');
    expect(escapeForScriptElement('a="</SCRIPT>"')).toBe('a="<\\/SCRIPT>"');
    expect(escapeForStyleElement('a{content:"</style>"}')).toBe('a{content:"<\\/style>"}');
  });

  it("wraps code holding Liquid markup in a runtime raw block, unless it already sits in one", () => {
    const code = "var a={b:{}};if(x){{y()}}";
    expect(insertClientCode("<script>\u0001</script>", [{ mark: "\u0001", code, what: "s" }])).toBe(
      `<script>{% raw %}${code}{% endraw %}</script>`,
    );
    expect(
      insertClientCode("{% raw %}<script>\u0001</script>{% endraw %}", [{ mark: "\u0001", code, what: "s" }]),
    ).toBe(`{% raw %}<script>${code}</script>{% endraw %}`);
    expect(insertClientCode("<script>\u0001</script>", [{ mark: "\u0001", code: "a$&b$1", what: "s" }])).toBe(
      "<script>a$&b$1</script>",
    );
    expect(() =>
      insertClientCode("<script>\u0001</script>", [{ mark: "\u0001", code: "'{% endraw %}'", what: "s" }]),
    ).toThrow(/endraw/);
  });

  it("reports CSP hashes of exactly the inlined script and style, and their weight", async () => {
    const artifacts = await compose(readFileSync(testTemplate, "utf8"));
    const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(artifacts.report.csp.scripts).toEqual([sha(fakeClient.script)]);
    expect(artifacts.report.csp.styles).toEqual([sha(fakeClient.style)]);
    expect(artifacts.report.script.bytes).toBe(Buffer.byteLength(fakeClient.script));
    expect(artifacts.report.script.gzipBytes).toBeGreaterThan(0);
    expect(artifacts.templateSource).toContain(`<script>${fakeClient.script}</script>`);
    expect(artifacts.templateSource).toContain(
      "{% if user %}<p>{{ user.fullname }}</p>{% elseif page.title %}",
    );
  });

  it("hashes the script the browser sees when it is wrapped in raw", () => {
    const hashes = hashInlineElements(
      "<script>{% raw %}a{{b}}{% endraw %}</script><style>{{ settings['x'] }}</style><script src='/x.js'></script>",
    );
    expect(hashes.scripts).toEqual([`'sha256-${createHash("sha256").update("a{{b}}").digest("base64")}'`]);
    expect(hashes.styles).toEqual([]);
    expect(hashes.unhashable).toHaveLength(1);
  });

  it("fails when the template never places the script", async () => {
    await expect(compose('<style>[[ client_style ]]</style><div id="epg-root"></div>')).rejects.toMatchObject(
      {
        code: "TEMPLATE_SLOT_ERROR",
        message: expect.stringMatching(/t\.html: the template never places \[\[ client_script \]\]/),
      },
    );
  });

  it("fails when the rendered template exceeds the web template limit", async () => {
    const big = { script: "x".repeat(1_048_577), style: "" };
    await expect(compose("<script>[[ client_script ]]</script>", big)).rejects.toMatchObject({
      code: "TEMPLATE_TOO_LARGE",
    });
  });
});
