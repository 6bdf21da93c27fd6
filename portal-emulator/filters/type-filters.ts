// Type conversions: boolean, decimal, integer, string. Each answers null when it cannot convert.
import type { FilterImplOptions } from "liquidjs";

function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export const typeFilters: Record<string, FilterImplOptions> = {
  boolean(value: unknown) {
    if (typeof value === "boolean") return value;
    if (typeof value === "string") {
      const text = value.trim().toLowerCase();
      if (text === "true") return true;
      if (text === "false") return false;
    }
    return null;
  },
  decimal(value: unknown) {
    return toNumber(value);
  },
  integer(value: unknown) {
    const n = toNumber(value);
    return n === null ? null : Math.trunc(n);
  },
  string(value: unknown) {
    if (value === null || value === undefined) return null;
    return String(value);
  },
};
