// @vitest-environment node
// The shipped artifact: the client bundled the way the build does (one minified IIFE, es2020) and
// the minified CSS. Checks the weight target and what must never be in code that runs under a
// strict Content-Security-Policy inside a Liquid template.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

async function bundle(entry: string, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    logLevel: "silent",
    ...extra,
  });
  return result.outputFiles[0]?.text ?? "";
}

describe("gateway page bundle", () => {
  it("stays under 10 KB gzipped for script + style, with nothing CSP or Liquid would trip on", async () => {
    const script = await bundle("gateway-client/main.ts", {
      format: "iife",
      target: "es2020",
      platform: "browser",
    });
    const style = await bundle("gateway-client/styles.css");
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
