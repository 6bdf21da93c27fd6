// Bundles the attendee's gateway script into one minified IIFE and minifies its stylesheet, both
// ready to inline into the web template.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build, transform } from "esbuild";
import { BuildError } from "./errors";

export interface ClientBundle {
  /** Minified script, safe to place between `<script>` and `</script>`. */
  script: string;
  /** Minified stylesheet, safe to place between `<style>` and `</style>`. */
  style: string;
}

/** Bundles `<clientDir>/main.ts` and minifies `<clientDir>/styles.css`. */
export async function bundleClient(clientDir: string): Promise<ClientBundle> {
  const entry = join(clientDir, "main.ts");
  const stylesheet = join(clientDir, "styles.css");
  if (!existsSync(entry)) {
    throw new BuildError(
      "CLIENT_BUNDLE_FAILED",
      `${entry}: the gateway script entry is missing. Restore gateway-client/main.ts.`,
      { file: entry },
    );
  }
  let script: string;
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "iife",
      target: "es2020",
      platform: "browser",
      write: false,
      legalComments: "none",
      charset: "utf8",
      logLevel: "silent",
      tsconfig: join(clientDir, "tsconfig.json"),
    });
    script = result.outputFiles[0]?.text ?? "";
  } catch (cause) {
    throw new BuildError(
      "CLIENT_BUNDLE_FAILED",
      `esbuild could not bundle ${entry}: ${firstLine(cause)}. Fix the error in gateway-client/ and build again.`,
      {
        file: entry,
        cause,
      },
    );
  }
  let style = "";
  if (existsSync(stylesheet)) {
    try {
      style = (
        await transform(readFileSync(stylesheet, "utf8"), { loader: "css", minify: true, logLevel: "silent" })
      ).code;
    } catch (cause) {
      throw new BuildError(
        "CLIENT_BUNDLE_FAILED",
        `esbuild could not minify ${stylesheet}: ${firstLine(cause)}.`,
        { file: stylesheet, cause },
      );
    }
  }
  return { script: escapeForScriptElement(script.trimEnd()), style: escapeForStyleElement(style.trimEnd()) };
}

/** Keeps an inline script from ending its element early or opening an HTML comment state. */
export function escapeForScriptElement(script: string): string {
  return script.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** Keeps an inline stylesheet from ending its element early. */
export function escapeForStyleElement(style: string): string {
  return style.replace(/<\/(style)/gi, "<\\/$1");
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0] ?? "unknown error";
}
