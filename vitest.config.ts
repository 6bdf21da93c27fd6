import { defineConfig } from "vitest/config";

// Two projects: Node for everything server-side and for the browser tests that drive real
// Chromium, jsdom for the gateway page's own code.
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          environment: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/gateway-client/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "jsdom",
          environment: "jsdom",
          include: ["test/gateway-client/**/*.test.ts"],
        },
      },
    ],
  },
});
