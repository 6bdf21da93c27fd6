// Formats a date with a .NET format string ("MMMM dd, yyyy", "g", "yyyy-MM-ddTHH:mm:ssZ"), the
// way Power Pages' `date` filter does, in UTC. Month and day names come from Intl for the culture;
// the standard single-letter patterns are known for en-US and fr-FR and fall back to en-US.

interface CulturePatterns {
  d: string;
  D: string;
  t: string;
  T: string;
  M: string;
  Y: string;
  am: string;
  pm: string;
}

const culturePatterns: Record<string, CulturePatterns> = {
  "en-US": {
    d: "M/d/yyyy",
    D: "dddd, MMMM d, yyyy",
    t: "h:mm tt",
    T: "h:mm:ss tt",
    M: "MMMM d",
    Y: "MMMM yyyy",
    am: "AM",
    pm: "PM",
  },
  "en-GB": {
    d: "dd/MM/yyyy",
    D: "dd MMMM yyyy",
    t: "HH:mm",
    T: "HH:mm:ss",
    M: "d MMMM",
    Y: "MMMM yyyy",
    am: "am",
    pm: "pm",
  },
  "fr-FR": {
    d: "dd/MM/yyyy",
    D: "dddd d MMMM yyyy",
    t: "HH:mm",
    T: "HH:mm:ss",
    M: "d MMMM",
    Y: "MMMM yyyy",
    am: "",
    pm: "",
  },
  "de-DE": {
    d: "dd.MM.yyyy",
    D: "dddd, d. MMMM yyyy",
    t: "HH:mm",
    T: "HH:mm:ss",
    M: "d. MMMM",
    Y: "MMMM yyyy",
    am: "",
    pm: "",
  },
};

function patternsFor(culture: string): CulturePatterns {
  return culturePatterns[culture] ?? (culturePatterns["en-US"] as CulturePatterns);
}

/** Expands a one-letter standard format into its custom pattern; undefined when `format` is custom. */
function expandStandardFormat(format: string, p: CulturePatterns): string | undefined {
  switch (format) {
    case "d":
      return p.d;
    case "D":
      return p.D;
    case "f":
      return `${p.D} ${p.t}`;
    case "F":
      return `${p.D} ${p.T}`;
    case "g":
      return `${p.d} ${p.t}`;
    case "G":
      return `${p.d} ${p.T}`;
    case "m":
    case "M":
      return p.M;
    case "o":
    case "O":
      return "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";
    case "r":
    case "R":
      return "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
    case "s":
      return "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
    case "t":
      return p.t;
    case "T":
      return p.T;
    case "u":
      return "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";
    case "U":
      return `${p.D} ${p.T}`;
    case "y":
    case "Y":
      return p.Y;
    default:
      return undefined;
  }
}

const nameCache = new Map<string, string>();

function intlName(culture: string, date: Date, options: Intl.DateTimeFormatOptions): string {
  const key = `${culture}|${JSON.stringify(options)}|${date.getUTCMonth()}|${date.getUTCDay()}`;
  let name = nameCache.get(key);
  if (name === undefined) {
    const safeCulture = culture === "invariant" ? "en-US" : culture;
    name = new Intl.DateTimeFormat(safeCulture, { timeZone: "UTC", ...options }).format(date);
    nameCache.set(key, name);
  }
  return name;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** Length of the run of `char` starting at `index` in `format`. */
function runLength(format: string, index: number): number {
  let end = index;
  while (format[end] === format[index]) end++;
  return end - index;
}

/** Formats `date` (taken as UTC) with the .NET format string `format` for `culture`. */
export function formatDotNetDate(date: Date, format: string, culture = "en-US"): string {
  const p = patternsFor(culture);
  const pattern = (format.length === 1 ? expandStandardFormat(format, p) : undefined) ?? format;
  const stand =
    format === "r" || format === "R" || format === "o" || format === "O" || format === "s" || format === "u";
  const names = stand ? "en-US" : culture;
  let out = "";
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] as string;
    if (c === "'" || c === '"') {
      const close = pattern.indexOf(c, i + 1);
      const end = close === -1 ? pattern.length : close;
      out += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === "\\") {
      out += pattern[i + 1] ?? "";
      i += 2;
      continue;
    }
    if (c === "%") {
      i += 1;
      continue;
    }
    const n = runLength(pattern, i);
    i += n;
    const hours = date.getUTCHours();
    switch (c) {
      case "d":
        if (n === 1) out += String(date.getUTCDate());
        else if (n === 2) out += pad(date.getUTCDate(), 2);
        else if (n === 3) out += intlName(names, date, { weekday: "short" });
        else out += intlName(names, date, { weekday: "long" });
        break;
      case "M":
        if (n === 1) out += String(date.getUTCMonth() + 1);
        else if (n === 2) out += pad(date.getUTCMonth() + 1, 2);
        else if (n === 3) out += intlName(names, date, { month: "short" });
        else out += intlName(names, date, { month: "long" });
        break;
      case "y": {
        const year = date.getUTCFullYear();
        if (n === 1) out += String(year % 100);
        else if (n === 2) out += pad(year % 100, 2);
        else out += pad(year, n);
        break;
      }
      case "h":
        out += n === 1 ? String(hours % 12 || 12) : pad(hours % 12 || 12, 2);
        break;
      case "H":
        out += n === 1 ? String(hours) : pad(hours, 2);
        break;
      case "m":
        out += n === 1 ? String(date.getUTCMinutes()) : pad(date.getUTCMinutes(), 2);
        break;
      case "s":
        out += n === 1 ? String(date.getUTCSeconds()) : pad(date.getUTCSeconds(), 2);
        break;
      case "f":
      case "F": {
        const digits = pad(date.getUTCMilliseconds(), 3).padEnd(7, "0").slice(0, n);
        out += c === "F" ? digits.replace(/0+$/, "") : digits;
        break;
      }
      case "t": {
        const designator = hours < 12 ? p.am : p.pm;
        out += n === 1 ? designator.slice(0, 1) : designator;
        break;
      }
      case "z":
        out += n === 1 ? "+0" : n === 2 ? "+00" : "+00:00";
        break;
      case "K":
        out += "Z";
        break;
      case "g":
        out += "A.D.";
        break;
      default:
        out += c.repeat(n);
    }
  }
  return out;
}
