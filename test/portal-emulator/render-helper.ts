// Test helper: a portal Liquid engine over an in-memory set of web templates.
import { createPortalLiquid } from "../../portal-emulator/create-portal-liquid";
import type { FixtureRows } from "../../portal-emulator/fetchxml-query";
import { renderLiquidSource } from "../../portal-emulator/render-template";

export function createTestEngine(
  templates: Record<string, string> = {},
  rows: FixtureRows = {},
  logs: string[] = [],
) {
  const liquid = createPortalLiquid({
    findTemplate: (name) => {
      const key = Object.keys(templates).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? undefined : { name: key, source: templates[key] as string };
    },
    fixtureRows: () => rows,
    log: (level, message) => logs.push(`${level}:${message}`),
  });
  return {
    liquid,
    render: (source: string, scope: object = {}) =>
      renderLiquidSource(liquid, source, scope, "Test Template"),
  };
}
