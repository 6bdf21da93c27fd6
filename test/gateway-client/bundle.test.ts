// @vitest-environment node
// The shipped artifact: the client bundled by the build's own bundler (one minified IIFE, es2020,
// the minified CSS). Checks the weight target and what must never be in code that runs under a
// strict Content-Security-Policy inside a Liquid template.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bundleClient } from "../../scripts/build/bundle-client";

describe("gateway page bundle", () => {
  it("stays under 10 KB gzipped for script + style, with nothing CSP or Liquid would trip on", async () => {
    const { script, style } = await bundleClient(
      fileURLToPath(new URL("../../gateway-client", import.meta.url)),
    );
    expect(script.length).toBeGreaterThan(1000);
    expect(style).toMatch(/\.epg\{/);
    const gz = gzipSync(script, { level: 9 }).length + gzipSync(style, { level: 9 }).length;
    expect(gz).toBeLessThan(10 * 1024);
    expect(script).not.toMatch(
      /\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
    );
    expect(script).not.toMatch(/\.style\.|setAttribute\("style"/);
    // The script is wrapped in a Liquid raw block on the portal; only this text could end it early.
    expect(script).not.toMatch(/\{%-?\s*endraw/);
    expect(script.toLowerCase()).not.toContain("</script");
    expect(style).not.toMatch(/\{%|\{\{/);
  });
});
