// The shared Chromium helper: a missing browser skips quietly unless it is required (CI), where it
// is an error that names the path and the package to install.
import { describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, ChromiumMissingError, findChromium } from "../../scripts/lib/chromium";

const NOWHERE = "/nonexistent/epg-chromium";

describe("findChromium", () => {
  it("answers false for a missing browser when it is optional", () => {
    expect(findChromium({ executablePath: NOWHERE })).toBe(false);
  });

  it("throws a coded error naming the path and the package when it is required", () => {
    let caught: unknown;
    try {
      findChromium({ executablePath: NOWHERE, required: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ChromiumMissingError);
    expect((caught as ChromiumMissingError).code).toBe("CHROMIUM_MISSING");
    expect((caught as Error).message).toContain(NOWHERE);
    expect((caught as Error).message).toContain('Debian package "chromium"');
  });

  it("answers true for a file that exists", () => {
    expect(findChromium({ executablePath: process.execPath, required: true })).toBe(true);
  });

  it("launches headless without a sandbox and without background traffic", () => {
    expect(CHROMIUM_ARGS).toEqual(
      expect.arrayContaining(["--headless", "--no-sandbox", "--disable-background-networking"]),
    );
  });
});
