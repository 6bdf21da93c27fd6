// Date filters with .NET format strings, date arithmetic and the two fixed text forms.
import type { FilterImplOptions } from "liquidjs";
import { formatDotNetDate } from "../dotnet-date-format";
import { cultureOf, PortalDate, toDate } from "../values";

function shifted(
  value: unknown,
  apply: (date: Date, amount: number) => void,
  amount: unknown,
): Date | unknown {
  const date = toDate(value);
  if (!date) return value;
  const result = new PortalDate(date.getTime());
  if (date instanceof PortalDate) result.culture = date.culture;
  apply(result, Number(amount) || 0);
  return result;
}

export const dateFilters: Record<string, FilterImplOptions> = {
  date(value: unknown, format?: unknown) {
    const date = toDate(value);
    if (!date) return value;
    const pattern = typeof format === "string" && format !== "" ? format : "G";
    return formatDotNetDate(date, pattern, cultureOf(this.context));
  },
  date_add_seconds(value: unknown, n: unknown) {
    return shifted(value, (d, a) => d.setTime(d.getTime() + a * 1000), n);
  },
  date_add_minutes(value: unknown, n: unknown) {
    return shifted(value, (d, a) => d.setTime(d.getTime() + a * 60_000), n);
  },
  date_add_hours(value: unknown, n: unknown) {
    return shifted(value, (d, a) => d.setTime(d.getTime() + a * 3_600_000), n);
  },
  date_add_days(value: unknown, n: unknown) {
    return shifted(value, (d, a) => d.setTime(d.getTime() + a * 86_400_000), n);
  },
  date_add_months(value: unknown, n: unknown) {
    return shifted(value, (d, a) => d.setUTCMonth(d.getUTCMonth() + a), n);
  },
  date_add_years(value: unknown, n: unknown) {
    return shifted(value, (d, a) => d.setUTCFullYear(d.getUTCFullYear() + a), n);
  },
  date_to_iso8601(value: unknown) {
    const date = toDate(value);
    return date ? formatDotNetDate(date, "yyyy-MM-ddTHH:mm:ssZ", "en-US") : value;
  },
  date_to_rfc822(value: unknown) {
    const date = toDate(value);
    return date ? formatDotNetDate(date, "ddd, dd MMM yyyy HH:mm:ss Z", "en-US") : value;
  },
};
