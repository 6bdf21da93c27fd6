import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import en from "../../gateway-client/messages/en";
import { catalogues, formatMessage, pickCatalogue } from "../../gateway-client/messages/index";

// jsdom replaces URL, so build the path from the string form of import.meta.url.
const dir = join(dirname(fileURLToPath(import.meta.url)), "../../gateway-client/messages");
const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts");
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogues", () => {
  it("has English and French", () => {
    expect(Object.keys(catalogues).sort()).toEqual(expect.arrayContaining(["en", "fr"]));
  });

  it("registers every catalogue file in messages/index.ts", () => {
    const registered = Object.keys(catalogues).sort();
    expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(registered);
    const index = readFileSync(`${dir}/index.ts`, "utf8");
    for (const f of files) expect(index).toContain(`from "./${f.replace(/\.ts$/, "")}"`);
  });

  it.each(Object.entries(catalogues))(
    "%s has exactly the English keys, non-empty, same placeholders",
    (_code, cat) => {
      expect(Object.keys(cat).sort()).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(cat)) {
        expect(value.trim(), key).not.toBe("");
        expect(placeholders(value), key).toEqual(placeholders(en[key as keyof typeof en]));
      }
    },
  );

  it("picks by exact tag, then primary subtag, then English", () => {
    expect(pickCatalogue("fr-FR")).toBe(catalogues.fr);
    expect(pickCatalogue("FR-ca")).toBe(catalogues.fr);
    expect(pickCatalogue("en-GB")).toBe(catalogues.en);
    expect(pickCatalogue("de-DE")).toBe(catalogues.en);
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(formatMessage("Pay {amount} {x}", { amount: "€1.00" })).toBe("Pay €1.00 {x}");
  });
});
