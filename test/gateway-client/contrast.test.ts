// WCAG AA: every text colour the stylesheet sets must reach 4.5:1 on the card's white, and the white
// button text must reach it on every button background. Colours are read from styles.css itself.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const css = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "../../gateway-client/styles.css"),
  "utf8",
);

function luminance(hex: string): number {
  const full = hex.length === 4 ? hex.replace(/^#(.)(.)(.)$/, "#$1$1$2$2$3$3") : hex;
  const channels = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** [selector, declarations] for every rule in the stylesheet (no nesting in it besides @media). */
const rules: Array<[string, string]> = [
  ...css.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/([^{}]+)\{([^{}]*)\}/g),
].map((m) => [(m[1] ?? "").trim(), m[2] ?? ""]);
const declared = (property: string) =>
  rules.flatMap(([selector, body]) =>
    [...body.matchAll(new RegExp(`(?:^|;|\\s)${property}:\\s*(#[0-9a-f]{3,6})`, "gi"))].map((m) => ({
      selector,
      value: (m[1] ?? "").toLowerCase(),
    })),
  );

describe("colour contrast in styles.css", () => {
  it("finds the colours it checks", () => {
    expect(declared("color").length).toBeGreaterThan(5);
  });

  it.each(declared("color").filter((d) => d.value !== "#fff"))(
    "$selector: $value on white ≥ 4.5",
    ({ value }) => {
      expect(contrast(value, "#ffffff")).toBeGreaterThanOrEqual(4.5);
    },
  );

  it.each(declared("background").filter((d) => d.selector.includes("button")))(
    "$selector: white text on $value ≥ 4.5",
    ({ value }) => {
      expect(contrast("#ffffff", value)).toBeGreaterThanOrEqual(4.5);
    },
  );
});
