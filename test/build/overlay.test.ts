// The site overlay over copies of the two fixture downloads, with the test template and a fixed
// client (so the goldens do not move when gateway-client/ changes). After a reviewed change of the
// emitted records, rewrite the goldens with: UPDATE_GOLDEN=1 npx vitest run test/build/overlay.test.ts
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  findHomePage,
  formatRecordMap,
  loadSiteFolder,
  parseRecordYaml,
  styleRecord,
} from "../../power-pages";
import { BuildError } from "../../scripts/build/errors";
import { collectKnownSecrets } from "../../scripts/build/known-secrets";
import { runBuild } from "../../scripts/build/run-build";
import { validateSiteFolder } from "../../scripts/build/validate";
import { copySite, goldenDir, makeTemp, removeTemps, snapshot, testBuild, testTemplate } from "./helpers";

afterEach(removeTemps);

const ENDPOINT = "https://pay.example.test";

function settingValue(site: string, name: string): string | null | undefined {
  return loadSiteFolder(site).siteSettings.find((s) => s.name === name)?.value;
}

async function expectRefusal(site: string, code: string, message: RegExp, extra = {}): Promise<void> {
  const before = snapshot(dirname(site));
  const error = await runBuild(testBuild(site, extra)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BuildError);
  expect((error as BuildError).code).toBe(code);
  expect((error as BuildError).message).toMatch(message);
  expect(snapshot(dirname(site))).toEqual(before);
}

describe.each(["standard", "enhanced"] as const)("overlay on the %s fixture", (which) => {
  it("writes the records, keeps the other settings' bytes and validates", async () => {
    const site = copySite(which);
    const settingsBefore = readFileSync(join(site, "sitesetting.yml"), "utf8");
    const { overlay } = await runBuild(testBuild(site, { overrides: { endpointUrl: ENDPOINT } }));
    expect(overlay?.changed).toHaveLength(9);
    expect(readFileSync(join(site, "sitesetting.yml"), "utf8").startsWith(settingsBefore)).toBe(true);

    const loaded = loadSiteFolder(site);
    const page = loaded.webPages.find((p) => p.partialUrl === "payment-gateway");
    expect(page?.parentPageId).toBe(findHomePage(loaded)?.id);
    expect(page?.publishingStateId).toBe(loaded.publishingStates.find((s) => s.name === "Published")?.id);
    expect(page?.hiddenFromSitemap).toBe(true);
    expect(
      page?.contentPages.map((c) => loaded.languages.find((l) => l.id === c.languageId)?.code).sort(),
    ).toEqual(["en-US", "fr-FR"]);
    expect(page?.contentPages.find((c) => c.title === "Paiement")).toBeDefined();
    const template = loaded.pageTemplates.find((t) => t.id === page?.pageTemplateId);
    expect(template).toMatchObject({
      type: 756150001,
      entityName: "adx_webpage",
      useWebsiteHeaderAndFooter: true,
    });
    expect(loaded.webTemplates.find((t) => t.id === template?.webTemplateId)?.source).toContain(
      "{{ settings['PaymentGateway/EndpointUrl'] | escape }}",
    );
    expect(settingValue(site, "PaymentGateway/EndpointUrl")).toBe(ENDPOINT);
    expect(validateSiteFolder(site).problems).toEqual([]);
  });

  it("leaves the folder byte-identical on a second run", async () => {
    const site = copySite(which);
    await runBuild(testBuild(site, { overrides: { endpointUrl: ENDPOINT } }));
    const first = snapshot(site);
    const { overlay } = await runBuild(testBuild(site, { overrides: { endpointUrl: ENDPOINT } }));
    expect(overlay?.changed).toEqual([]);
    expect(snapshot(site)).toEqual(first);
  });

  it("matches the golden files", async () => {
    const site = copySite(which);
    const before = snapshot(site);
    await runBuild(testBuild(site, { overrides: { endpointUrl: ENDPOINT } }));
    const after = snapshot(site);
    const emitted = [...after].filter(([path, text]) => before.get(path) !== text);
    expect(emitted.length).toBeGreaterThan(0);
    for (const [path, text] of emitted) {
      const golden = join(goldenDir, which, path);
      if (process.env.UPDATE_GOLDEN === "1") {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, text);
      }
      expect(text, path).toBe(readFileSync(golden, "utf8"));
    }
  });
});

describe("overlay: ids, names and refusals", () => {
  it("keeps a value already in the site unless one is given explicitly", async () => {
    const site = copySite("standard");
    await runBuild(testBuild(site, { overrides: { endpointUrl: ENDPOINT } }));
    await runBuild(testBuild(site));
    expect(settingValue(site, "PaymentGateway/EndpointUrl")).toBe(ENDPOINT);
    await runBuild(testBuild(site, { overrides: { endpointUrl: "https://other.example.test" } }));
    expect(settingValue(site, "PaymentGateway/EndpointUrl")).toBe("https://other.example.test");
  });

  it("derives different ids for different websites and names", async () => {
    const a = copySite("standard");
    const b = copySite("enhanced");
    const ra = await runBuild(testBuild(a));
    const rb = await runBuild(testBuild(b));
    expect(ra.overlay?.ids.webPage).not.toBe(rb.overlay?.ids.webPage);
    const renamed = await runBuild(testBuild(a, { overrides: { name: "Pay Now", partialUrl: "pay-now" } }));
    expect(renamed.overlay?.ids.webPage).not.toBe(ra.overlay?.ids.webPage);
    expect(existsSync(join(a, "web-pages", "pay-now", "Pay-Now.webpage.yml"))).toBe(true);
    expect(validateSiteFolder(a).problems).toEqual([]);
  });

  it("refuses a page under Home with our partial URL but another id, and takes it over with --force", async () => {
    const site = copySite("standard");
    const about = join(site, "web-pages", "about", "About.webpage.yml");
    writeFileSync(
      about,
      readFileSync(about, "utf8").replace("adx_partialurl: about", "adx_partialurl: payment-gateway"),
    );
    await expectRefusal(
      site,
      "SITE_RECORD_CLASH",
      /web-pages\/about\/About\.webpage\.yml \(id aaaaaaaa-0001-4000-8000-000000000033\)[\s\S]*--force/,
    );
    const { overlay } = await runBuild(testBuild(site, { force: true }));
    expect(overlay?.ids.webPage).toBe("aaaaaaaa-0001-4000-8000-000000000033");
    expect(overlay?.warnings.join("\n")).toMatch(/taking over web-pages\/about\/About\.webpage\.yml/);
    expect(readFileSync(about, "utf8")).toContain("adx_name: Payment Gateway");
    expect(validateSiteFolder(site).problems).toEqual([]);
  });

  it("refuses a web template with our name but another id", async () => {
    const site = copySite("enhanced");
    const header = join(site, "web-templates", "home", "Home.webtemplate.yml");
    writeFileSync(
      header,
      readFileSync(header, "utf8").replace("adx_name: Home", "adx_name: payment gateway"),
    );
    await expectRefusal(site, "SITE_RECORD_CLASH", /web template named "Payment Gateway"/);
  });

  it("takes Home's state when no state is named Published, and says so", async () => {
    const site = copySite("standard");
    const file = join(site, "publishingstate.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("adx_name: Published", "adx_name: Live"));
    const { overlay } = await runBuild(testBuild(site));
    expect(overlay?.warnings.join("\n")).toMatch(/No publishing state is named "Published"; .* "Live"/);
    const loaded = loadSiteFolder(site);
    const home = findHomePage(loaded);
    const page = loaded.webPages.find((p) => p.id === overlay?.ids.webPage);
    expect(page?.publishingStateId).toBe(home?.publishingStateId);
    expect(loaded.publishingStates.find((s) => s.id === page?.publishingStateId)?.name).toBe("Live");
  });

  it("refuses a site without a Published state when Home's state is not there either", async () => {
    const site = copySite("standard");
    const file = join(site, "publishingstate.yml");
    const home = join(site, "web-pages", "home", "Home.webpage.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("adx_name: Published", "adx_name: Live"));
    writeFileSync(
      home,
      readFileSync(home, "utf8").replace(
        /^adx_publishingstateid: .*$/m,
        "adx_publishingstateid: cccccccc-0000-4000-8000-000000000009",
      ),
    );
    await expectRefusal(
      site,
      "SITE_NO_PUBLISHED_STATE",
      /publishingstate\.yml: no publishing state named "Published", and the Home page's state/,
    );
  });

  it("refuses a site without a Home root page", async () => {
    const site = copySite("standard");
    const file = join(site, "web-pages", "home", "Home.webpage.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("adx_isroot: true", "adx_isroot: false"));
    await expectRefusal(site, "SITE_NO_HOME_PAGE", /no Home root page/);
  });

  it("refuses a site without a language", async () => {
    const site = copySite("enhanced");
    writeFileSync(join(site, ".portalconfig", "portallanguage.yml"), "[]\n");
    await expectRefusal(site, "SITE_NO_LANGUAGE", /websitelanguage\.yml: no website language/);
  });

  it.each(["pay/now", "pay now", "pay?x", "x".repeat(101), ""])(
    "refuses the partial URL %j",
    async (partialUrl) => {
      const site = copySite("standard");
      await expectRefusal(site, "PARTIAL_URL_INVALID", /webPage\.partialUrl/, { overrides: { partialUrl } });
    },
  );

  it("says which pac command produces a site folder when there is no website.yml", async () => {
    const site = copySite("standard");
    rmSync(join(site, "website.yml"));
    const error = await runBuild(testBuild(dirname(site))).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /no website\.yml[\s\S]*pac pages download --path <dir> --webSiteId/,
    );
  });

  it("writes bare keys into a bare-key folder", async () => {
    const site = copySite("standard");
    for (const [file, kind] of [
      ["website.yml", "website"],
      ["web-pages/home/Home.webpage.yml", "webpage"],
    ] as const) {
      const record = parseRecordYaml(readFileSync(join(site, file), "utf8"), file).records[0] ?? {};
      writeFileSync(join(site, file), formatRecordMap(styleRecord("bare", kind, record)));
    }
    const { overlay } = await runBuild(testBuild(site));
    expect(overlay?.keyStyle).toBe("bare");
    const page = readFileSync(
      join(site, "web-pages", "payment-gateway", "Payment-Gateway.webpage.yml"),
      "utf8",
    );
    expect(page).toMatch(/^id: /m);
    expect(page).toMatch(/^partialurl: payment-gateway$/m);
    expect(page).not.toContain("adx_");
  });
});

describe("overlay: secrets", () => {
  it("emits nothing secret-shaped even when the environment holds secrets", async () => {
    const env = {
      STRIPE_SECRET_KEY: "sk_test_51AbCdEfGhIjKlMnOpQrStUv",
      STRIPE_WEBHOOK_SECRETS: "whsec_AbCdEfGhIjKlMnOp,whsec_QrStUvWxYz012345",
      DATAVERSE_CLIENT_SECRET: "abc8Q~defghijklmnopqrstuvwxyz0123456789AB",
    };
    const site = copySite("standard");
    const knownSecrets = collectKnownSecrets(env);
    expect(knownSecrets).toHaveLength(4);
    await runBuild(testBuild(site, { knownSecrets }));
    for (const [path, text] of snapshot(site)) {
      for (const secret of knownSecrets) expect(text.includes(secret), path).toBe(false);
      expect(text, path).not.toMatch(/sk_(live|test)_|whsec_|PRIVATE KEY/);
    }
    expect(validateSiteFolder(site, { knownSecrets }).problems).toEqual([]);
  });

  it("refuses to write a secret that reaches a setting value, and writes nothing", async () => {
    const site = copySite("standard");
    const config = join(dirname(site), "secret.yml");
    writeFileSync(
      config,
      `template: ${JSON.stringify(testTemplate)}\nsiteSettings:\n  support_contact:\n    value: sk_live_0123456789abcdefXYZ\n`,
    );
    await expectRefusal(site, "SECRET_IN_OUTPUT", /sitesetting\.yml line \d+: .*Stripe live secret key/, {
      configFile: config,
    });
  });
});

describe("overlay: all or nothing", () => {
  it("puts the folder back when the result would not validate", async () => {
    const site = copySite("standard");
    await runBuild(testBuild(site));
    // Leave an orphan content page that claims our page's en-US slot under another id.
    rmSync(join(site, "web-pages", "payment-gateway", "Payment-Gateway.webpage.yml"));
    const pages = join(site, "web-pages", "payment-gateway", "content-pages");
    const ours = readFileSync(join(pages, "Payment-Gateway.en-US.webpage.yml"), "utf8");
    rmSync(join(pages, "Payment-Gateway.en-US.webpage.yml"));
    const orphan = ours.replace(
      /^adx_webpageid: .*$/m,
      "adx_webpageid: cccccccc-0000-4000-8000-000000000001",
    );
    writeFileSync(join(pages, "Orphan.en-US.webpage.yml"), orphan);
    const before = snapshot(dirname(site));
    const error = await runBuild(testBuild(site)).catch((e: unknown) => e);
    expect((error as BuildError).code).toBe("VALIDATION_FAILED");
    expect((error as BuildError).message).toMatch(/content page language of one page/);
    expect(snapshot(dirname(site))).toEqual(before);
  });
});

describe("overlay: a file at our path holding another record", () => {
  it("is a clash, not an overwrite", async () => {
    const site = copySite("enhanced");
    await runBuild(testBuild(site));
    const file = join(
      site,
      "web-pages",
      "payment-gateway",
      "content-pages",
      "Payment-Gateway.fr-FR.webpage.yml",
    );
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        /^adx_webpageid: .*$/m,
        "adx_webpageid: cccccccc-0000-4000-8000-000000000002",
      ),
    );
    await expectRefusal(
      site,
      "SITE_RECORD_CLASH",
      /Payment-Gateway\.fr-FR\.webpage\.yml already holds another webpage record/,
    );
  });
});

describe("dist output", () => {
  it("writes the same bytes twice and refuses a secret in the definitions", async () => {
    const out = join(makeTemp("epg-dist-"), "dist");
    const first = await runBuild(testBuild(undefined, { outDir: out }));
    expect(first.dist?.files).toEqual([
      "Payment-Gateway.webtemplate.source.html",
      "definitions.json",
      "build-report.json",
      "csp.txt",
    ]);
    expect(readFileSync(join(out, "csp.txt"), "utf8")).toMatch(
      /^script-src 'sha256-[^']+'; style-src 'sha256-[^']+'\n$/,
    );
    const second = await runBuild(testBuild(undefined, { outDir: out }));
    expect(second.dist?.changed).toEqual([]);

    const fresh = join(makeTemp("epg-dist-"), "dist");
    const error = await runBuild(
      testBuild(undefined, {
        outDir: fresh,
        overrides: { endpointUrl: "https://x.test/?k=whsec_0123456789abcdefgh" },
      }),
    ).catch((e: unknown) => e);
    expect((error as BuildError).code).toBe("SECRET_IN_OUTPUT");
    expect(existsSync(fresh)).toBe(false);
  });
});
