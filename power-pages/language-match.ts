// Language codes as sites spell them: some sites keep regional codes (`fr-FR`), others bare ones
// (`fr`). A lookup tries the exact code first, then the other spelling of the same language, so a
// French page gets its French title whichever way either side writes it.

/** The primary language of a code: `fr-FR` → `fr`, `fr` → `fr`. */
function primaryOf(code: string): string {
  return code.split("-")[0]?.toLowerCase() ?? "";
}

/** The entry of `candidates` that best matches `wanted`: exact (any case), else same primary language. */
export function matchLanguageCode<T extends string>(candidates: readonly T[], wanted: string): T | undefined {
  const lower = wanted.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const primary = primaryOf(wanted);
  // A bare code (`fr`) first, then the first regional one (`fr-FR`, `fr-CA`) in the order given.
  return (
    candidates.find((c) => c.toLowerCase() === primary) ?? candidates.find((c) => primaryOf(c) === primary)
  );
}

/** The value kept under the code matching `wanted` (see matchLanguageCode), or undefined. */
export function pickForLanguage<V>(byCode: Readonly<Record<string, V>>, wanted: string): V | undefined {
  const key = matchLanguageCode(Object.keys(byCode), wanted);
  return key === undefined ? undefined : byCode[key];
}
