import { describe, expect, it } from "vitest";
import { formatDotNetDate } from "../../portal-emulator/dotnet-date-format";

const d = new Date(Date.UTC(2026, 6, 4, 9, 5, 3, 120));

describe("formatDotNetDate", () => {
  it.each([
    ["MMMM dd, yyyy", "en-US", "July 04, 2026"],
    ["ddd d MMM yy", "en-US", "Sat 4 Jul 26"],
    ["h:mm tt", "en-US", "9:05 AM"],
    ["HH:mm:ss.fff", "en-US", "09:05:03.120"],
    ["HH:mm:ss.FFF", "en-US", "09:05:03.12"],
    ["'Day' d 'of' MMMM", "en-US", "Day 4 of July"],
    ["yyyy\\-MM\\-dd", "en-US", "2026-07-04"],
    ["d", "en-US", "7/4/2026"],
    ["D", "en-US", "Saturday, July 4, 2026"],
    ["g", "en-US", "7/4/2026 9:05 AM"],
    ["G", "fr-FR", "04/07/2026 09:05:03"],
    ["D", "fr-FR", "samedi 4 juillet 2026"],
    ["f", "fr-FR", "samedi 4 juillet 2026 09:05"],
    ["M", "en-US", "July 4"],
    ["Y", "fr-FR", "juillet 2026"],
    ["s", "fr-FR", "2026-07-04T09:05:03"],
    ["u", "en-US", "2026-07-04 09:05:03Z"],
    ["r", "fr-FR", "Sat, 04 Jul 2026 09:05:03 GMT"],
    ["o", "en-US", "2026-07-04T09:05:03.1200000Z"],
    ["%d", "en-US", "4"],
  ])("%s in %s", (format, culture, expected) => {
    expect(formatDotNetDate(d, format, culture)).toBe(expected);
  });

  it("falls back to en-US patterns for a culture it has no patterns for, with that culture's names", () => {
    expect(formatDotNetDate(d, "d", "xx-YY")).toBe("7/4/2026");
    expect(formatDotNetDate(d, "MMMM", "es-ES")).toBe("julio");
  });
});
