import { builtinModules } from "node:module";
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// The direction of imports (DESIGN.md, docs/architecture.md) as lint rules. Each regex is matched
// against the import text, so it names a folder wherever it sits in a relative path.
// `sandbox/portal/` is moving to `portal-emulator/`: the old name is allowed where the new one is.
const folders = (...names) => `(^|/)(${names.join("|")})(/|$)`;
const rule = (message, regex) => ({ regex, message });
const restrict = (...patterns) => ["error", { patterns }];

const notScriptsOrTest = rule(
  "Nothing imports scripts/ (command-line entry points) or test/.",
  folders("scripts", "test"),
);
const notSandbox = rule(
  "Only the portal emulator may be used from sandbox/.",
  "(^|/)sandbox(/(?!portal(/|$))|$)",
);
const notGatewayClient = rule(
  "gateway-client/ is browser code: the build bundles it.",
  folders("gateway-client"),
);

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "data/",
      "test-output/",
      "coverage/",
      "**/*.mjs",
      "test/fixtures/**/*.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
    },
  },
  {
    // Issue #13 cuts functions over 80 lines down; none may grow past 150 again.
    // `npx tsx scripts/report-long-functions.ts` lists those over 80.
    ignores: ["test/**"],
    rules: {
      "max-lines-per-function": ["error", { max: 150, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: [
      "common/**",
      "power-pages/**",
      "portal-templates/**",
      "confirmation-endpoint/**",
      "hosting/**",
      "portal-emulator/**",
      "sandbox/portal/**",
    ],
    rules: {
      "no-restricted-imports": restrict(notScriptsOrTest, notSandbox, notGatewayClient),
    },
  },
  {
    files: ["scripts/**"],
    rules: { "no-restricted-imports": restrict(notScriptsOrTest, notSandbox, notGatewayClient) },
  },
  {
    // `npm start` is the sandbox and the benchmarks run against its stand-ins: these entry points
    // are where the scripts and the sandbox meet, and the only ones.
    files: ["scripts/start.ts", "scripts/bench.ts", "scripts/bench/**"],
    rules: { "no-restricted-imports": restrict(notScriptsOrTest, notGatewayClient) },
  },
  {
    files: ["sandbox/**"],
    ignores: ["sandbox/portal/**"],
    rules: {
      "no-restricted-imports": restrict(
        notScriptsOrTest,
        notGatewayClient,
        rule(
          "The sandbox gets the site from its caller, not from portal-templates/.",
          folders("portal-templates"),
        ),
      ),
    },
  },
  {
    files: ["gateway-client/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Put data into the page with textContent." },
        { property: "outerHTML", message: "Put data into the page with textContent." },
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: builtinModules.map((name) => ({ name, message: "The gateway page runs in a browser." })),
          patterns: [
            rule("The gateway page runs in a browser: no Node modules.", "^node:"),
            rule(
              "The gateway page imports only the endpoint's Node-free contract module and common/.",
              `${folders("power-pages", "portal-templates", "portal-emulator", "scripts", "sandbox", "test")}|(^|/)confirmation-endpoint(/(?!contract(/|$))|$)`,
            ),
          ],
        },
      ],
    },
  },
);
