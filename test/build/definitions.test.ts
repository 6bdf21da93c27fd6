import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDefinitions } from "../../scripts/build/definitions";
import { collectKnownSecrets } from "../../scripts/build/known-secrets";
import { mergeSiteSettings } from "../../scripts/build/merge-site-settings";
import { findSecrets } from "../../scripts/build/secret-patterns";
import { makeTemp, removeTemps, repoRoot } from "./helpers";

afterEach(removeTemps);
const definitionsFile = join(repoRoot, "portal-templates", "definitions.yml");

describe("definitions", () => {
  it("reads the kit's definitions with the agreed setting names", () => {
    const { definitions, templatePath } = loadDefinitions(definitionsFile);
    expect(Object.fromEntries(Object.entries(definitions.siteSettings).map(([k, s]) => [k, s.name]))).toEqual(
      {
        endpoint_url: "PaymentGateway/EndpointUrl",
        provider: "PaymentGateway/Provider",
        support_contact: "PaymentGateway/SupportContact",
      },
    );
    expect(templatePath).toBe(join(repoRoot, "portal-templates", "payment-gateway.html"));
  });

  it("lets a config file and options override, options last", () => {
    const dir = makeTemp("epg-defs-");
    const config = join(dir, "c.json");
    writeFileSync(
      config,
      JSON.stringify({
        webPage: { partialUrl: "pay", title: "Pay" },
        siteSettings: { provider: { value: "stripe" } },
      }),
    );
    const loaded = loadDefinitions(definitionsFile, config, {
      name: "Checkout",
      endpointUrl: "https://x.test",
    });
    expect(loaded.definitions.webPage).toMatchObject({
      partialUrl: "pay",
      title: "Pay",
      name: "Checkout",
      hiddenFromSitemap: true,
    });
    expect(loaded.definitions.webTemplate.name).toBe("Checkout");
    expect(loaded.definitions.siteSettings.endpoint_url?.value).toBe("https://x.test");
    expect([...loaded.explicitSettingValues].sort()).toEqual(["endpoint_url", "provider"]);
  });

  it("reports every invalid field at once", () => {
    const dir = makeTemp("epg-defs-");
    const config = join(dir, "c.yml");
    writeFileSync(config, "webPage:\n  partialUrl: a/b\n  title: ''\nsurprise: 1\n");
    expect(() => loadDefinitions(definitionsFile, config)).toThrow(
      /webPage\.partialUrl[\s\S]*webPage\.title[\s\S]*surprise/,
    );
  });

  it("refuses an endpoint URL that is not an absolute http(s) URL", () => {
    expect(() => loadDefinitions(definitionsFile, undefined, { endpointUrl: "pay.example.test" })).toThrow(
      /siteSettings\.endpoint_url\.value: the endpoint URL is not an absolute http\(s\) URL/,
    );
    // A secret pasted as the URL by mistake is not echoed back.
    expect(() => loadDefinitions(definitionsFile, undefined, { endpointUrl: "sk_live_not-an-url" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("sk_live_") }),
    );
    expect(() => loadDefinitions(definitionsFile, undefined, { endpointUrl: "javascript:alert(1)" })).toThrow(
      /not an absolute http/,
    );
  });

  it("takes the Event Portal paths from a config file and refuses anything but a site path", () => {
    expect(loadDefinitions(definitionsFile).definitions.eventPortal).toEqual({
      eventPath: "/event",
      confirmationPath: "/event/confirmation",
    });
    const dir = makeTemp("epg-defs-");
    const config = join(dir, "c.yml");
    writeFileSync(config, "eventPortal:\n  eventPath: /events/detail\n");
    expect(loadDefinitions(definitionsFile, config).definitions.eventPortal).toEqual({
      eventPath: "/events/detail",
      confirmationPath: "/event/confirmation",
    });
    writeFileSync(config, "eventPortal:\n  eventPath: //evil.example\n  confirmationPath: 'x\"y'\n");
    expect(() => loadDefinitions(definitionsFile, config)).toThrow(
      /eventPortal\.eventPath: must be a path on the portal[\s\S]*eventPortal\.confirmationPath: must be a path/,
    );
  });

  it("names a missing config file", () => {
    expect(() => loadDefinitions(definitionsFile, "/nonexistent/c.yml")).toThrow(
      /\/nonexistent\/c\.yml: no such file/,
    );
  });
});

describe("sitesetting.yml merge", () => {
  const existing =
    "- adx_name: A\n  adx_sitesettingid: 1\n  adx_value: 'quoted'   \n- adx_name: B\n  adx_sitesettingid: 2\n  adx_value: x\n";
  it("replaces our item in place and keeps the others' bytes", () => {
    const out = mergeSiteSettings(
      existing,
      [{ adx_name: "B", adx_sitesettingid: "2", adx_value: "y" }],
      "adx_sitesettingid",
    );
    expect(out).toBe(
      "- adx_name: A\n  adx_sitesettingid: 1\n  adx_value: 'quoted'   \n- adx_name: B\n  adx_sitesettingid: \"2\"\n  adx_value: y\n",
    );
  });
  it("appends new items, also to a file without a final newline, and creates a missing file", () => {
    const out = mergeSiteSettings(
      existing.trimEnd(),
      [{ adx_name: "C", adx_sitesettingid: "c", adx_value: "z" }],
      "adx_sitesettingid",
    );
    expect(out).toBe(`${existing}- adx_name: C\n  adx_sitesettingid: c\n  adx_value: z\n`);
    expect(
      mergeSiteSettings(
        null,
        [{ adx_name: "C", adx_sitesettingid: "c", adx_value: "z" }],
        "adx_sitesettingid",
      ),
    ).toBe("- adx_name: C\n  adx_sitesettingid: c\n  adx_value: z\n");
  });
});

describe("secret shapes", () => {
  it("finds each shape and never returns the secret", () => {
    const text = [
      "sk_live_0123456789abcdef",
      "ok line",
      "rk_test_0123456789abcdef",
      "whsec_0123456789abcdef",
      "-----BEGIN RSA PRIVATE KEY-----",
      "secret abc8Q~defghijklmnopqrstuvwxyz0123456789A",
      'client_secret: "abcdefghijklmnopqrstuvwx"',
    ].join("\n");
    const hits = findSecrets(text);
    expect(hits.map((h) => h.line)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(JSON.stringify(hits)).not.toContain("0123456789abcdef");
    expect(findSecrets("pk_test_0123456789abcdef publishable keys are fine")).toEqual([]);
    expect(findSecrets("value=hunter2hunter2", ["hunter2hunter2"])).toHaveLength(1);
  });
  it("collects secret values from an environment by variable name", () => {
    expect(
      collectKnownSecrets({
        STRIPE_SECRET_KEY: "sk_test_abcdefgh",
        PORT: "7071",
        DATAVERSE_URL: "https://x",
        STRIPE_WEBHOOK_SECRETS: "whsec_aaaaaaaa, whsec_bbbbbbbb",
      }),
    ).toEqual(["sk_test_abcdefgh", "whsec_aaaaaaaa", "whsec_bbbbbbbb"]);
  });
});
