// Small helpers for the stand-in's two HTML pages (hosted checkout, dashboard): escaping and money.

import { NO_FAVICON } from "../portal-look";
import { escapeHtml } from "../../common/escape-html";

export { escapeHtml };

/** 1250 + "eur" → "€12.50", using the currency's own number of decimals (JPY none, KWD three). */
export function formatMinor(minor: number, currency: string, locale: string | null = null): string {
  const code = currency.toUpperCase();
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale === null || locale === "auto" ? "en" : locale, {
      style: "currency",
      currency: code,
    });
  } catch {
    format = new Intl.NumberFormat("en", { style: "currency", currency: code });
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

const PAGE_STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f6f8fa; color: #1a1a1a; }
  main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  button { font: inherit; padding: .5rem 1.1rem; margin: .25rem .5rem .25rem 0; border-radius: 6px; border: 1px solid #888;
           background: #fff; cursor: pointer; }
  button.primary { background: #0a58ca; color: #fff; border-color: #0a58ca; }
  button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
  .alert { padding: .75rem 1rem; border-radius: 6px; background: #fdecea; color: #8a1c13; margin: 1rem 0; }
  .note { color: #555; font-size: .9rem; }
  .ok { color: #176b2c; } .bad { color: #8a1c13; }
  form.inline { display: inline; }
  code { font-size: .85rem; }
`;

export function page(title: string, body: string, lang = "en"): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${NO_FAVICON}
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** No scripts, no external assets; forms may post back and redirect anywhere (success/cancel URLs). */
export const PAGE_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
};
