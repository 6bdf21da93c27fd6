// default (null only), file_size, has_role and liquid (renders a string as Liquid in the current scope).
import type { FilterImplOptions } from "liquidjs";
import { rewriteElseif } from "../template-source";
import { readProperty, toArray } from "../values";

const sizeUnits = ["B", "KB", "MB", "GB", "TB"];

export const miscFilters: Record<string, FilterImplOptions> = {
  default(value: unknown, fallback: unknown) {
    return value === null || value === undefined ? fallback : value;
  },
  file_size(value: unknown, precision: unknown = 1) {
    const bytes = Number(value);
    if (!Number.isFinite(bytes)) return value;
    let size = bytes;
    let unit = 0;
    while (size >= 1024 && unit < sizeUnits.length - 1) {
      size /= 1024;
      unit++;
    }
    const digits = unit === 0 ? 0 : Math.max(0, Math.trunc(Number(precision)) || 0);
    return `${size.toFixed(digits)} ${sizeUnits[unit]}`;
  },
  has_role(user: unknown, role: unknown) {
    if (user === null || user === undefined) return false;
    const wanted = String(role).toLowerCase();
    return toArray(readProperty(user, "roles")).some((r) => String(r).toLowerCase() === wanted);
  },
  *liquid(value: unknown): Generator<unknown, unknown, unknown> {
    if (value === null || value === undefined) return value;
    const templates = this.liquid.parse(rewriteElseif(String(value)));
    return yield this.liquid.renderer.renderTemplates(templates, this.context);
  },
};
