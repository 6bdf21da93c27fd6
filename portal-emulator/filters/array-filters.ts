// Power Pages array filters that liquidjs lacks or shapes differently: batch, except, group_by
// (groups carry `key` and `items`), order_by/then_by, random, select, shuffle, skip, take.
import type { FilterImplOptions } from "liquidjs";
import { readProperty, toArray } from "../values";

type Comparator = (a: unknown, b: unknown) => number;

/** Sort keys applied so far to an array returned by order_by, so then_by can add one more. */
const sortChains = new WeakMap<unknown[], Comparator[]>();

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

function comparatorFor(property: string, direction: unknown): Comparator {
  const sign = typeof direction === "string" && direction.toLowerCase() === "desc" ? -1 : 1;
  return (a, b) => sign * compareValues(readProperty(a, property), readProperty(b, property));
}

function sortBy(items: unknown[], chain: Comparator[]): unknown[] {
  const sorted = [...items].sort((a, b) => {
    for (const compare of chain) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  });
  sortChains.set(sorted, chain);
  return sorted;
}

export const arrayFilters: Record<string, FilterImplOptions> = {
  batch(value: unknown, size: unknown) {
    const items = toArray(value);
    const n = Math.max(1, Math.trunc(Number(size)) || 1);
    const batches: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) batches.push(items.slice(i, i + n));
    return batches;
  },
  except(value: unknown, property: string, excluded: unknown) {
    return toArray(value).filter((item) => readProperty(item, property) !== excluded);
  },
  group_by(value: unknown, property: string) {
    const groups = new Map<unknown, unknown[]>();
    for (const item of toArray(value)) {
      const key = readProperty(item, property);
      const items = groups.get(key);
      if (items) items.push(item);
      else groups.set(key, [item]);
    }
    return [...groups].map(([key, items]) => ({ key, items }));
  },
  order_by(value: unknown, property: string, direction?: unknown) {
    return sortBy(toArray(value), [comparatorFor(property, direction)]);
  },
  then_by(value: unknown, property: string, direction?: unknown) {
    const items = toArray(value);
    const chain = sortChains.get(items) ?? [];
    return sortBy(items, [...chain, comparatorFor(property, direction)]);
  },
  random(value: unknown) {
    const items = toArray(value);
    return items.length === 0 ? null : items[Math.floor(Math.random() * items.length)];
  },
  select(value: unknown, property: string) {
    return toArray(value).map((item) => readProperty(item, property));
  },
  shuffle(value: unknown) {
    const items = [...toArray(value)];
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  },
  skip(value: unknown, count: unknown) {
    return toArray(value).slice(Math.max(0, Math.trunc(Number(count)) || 0));
  },
  take(value: unknown, count: unknown) {
    return toArray(value).slice(0, Math.max(0, Math.trunc(Number(count)) || 0));
  },
};
