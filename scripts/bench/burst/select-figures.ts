// BURST_FIGURES for the burst benchmark: which figures of the report run. A figure that reads
// another's results names it in `needs`, and the needed one runs too (said on stderr), so a
// partial run never reads an empty result.

export interface SelectableFigure {
  /** What BURST_FIGURES names it by ("1", "1b", "5" …). */
  id: string;
  /** Figures whose results this one reads. */
  needs?: readonly string[];
}

/**
 * The figures BURST_FIGURES asks for (all when unset), in report order, with those they need.
 * Throws naming the ids it knows when one is unknown.
 */
export function selectFigures<F extends SelectableFigure>(
  all: readonly F[],
  raw: string | undefined,
  note: (line: string) => void = () => {},
): F[] {
  if (raw === undefined || raw.trim() === "") return [...all];
  const byId = new Map(all.map((f) => [f.id, f]));
  const chosen = new Set<string>();
  const add = (id: string, by?: string) => {
    const figure = byId.get(id);
    if (!figure)
      throw new RangeError(
        `BURST_FIGURES: no figure "${id}"; the figures are ${all.map((f) => f.id).join(", ")} (e.g. BURST_FIGURES=1,2,5)`,
      );
    if (chosen.has(id)) return;
    if (by) note(`figure ${by} needs figure ${id}: running it too`);
    chosen.add(id);
    for (const need of figure.needs ?? []) add(need, id);
  };
  for (const id of raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean))
    add(id);
  return all.filter((f) => chosen.has(f.id));
}
