// Where runtime Power Pages `{% raw %}…{% endraw %}` blocks sit in a template. Text inside them is
// sent to the browser as is; text outside is run as Liquid on the portal.

const RAW_BLOCK = /\{%-?\s*raw\s*-?%\}([\s\S]*?)\{%-?\s*endraw\s*-?%\}/g;

/** [start, end) offsets of the content of each raw block. */
export function findRawRegions(text: string): Array<[number, number]> {
  const regions: Array<[number, number]> = [];
  for (const match of text.matchAll(RAW_BLOCK)) {
    const open =
      match[0].length - (match[1]?.length ?? 0) - (/\{%-?\s*endraw\s*-?%\}$/.exec(match[0])?.[0].length ?? 0);
    const start = match.index + open;
    regions.push([start, start + (match[1]?.length ?? 0)]);
  }
  return regions;
}

export function isInsideRaw(regions: ReadonlyArray<[number, number]>, start: number, end: number): boolean {
  return regions.some(([from, to]) => start >= from && end <= to);
}

/** True when the text would be read as Liquid by the portal (`{{` or `{%`). */
export function holdsLiquidMarkup(text: string): boolean {
  return /\{\{|\{%/.test(text);
}
