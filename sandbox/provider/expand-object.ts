// `expand[]=payment_intent` (and dotted paths such as `payment_intent.latest_charge`): replace an id
// field by the object it names, as Stripe does. Only the fields Stripe marks expandable are.
import { invalidRequest } from "./api-error";
import type { StoredKind } from "./objects";
import type { ProviderStore } from "./provider-store";

const EXPANDABLE: Record<string, Record<string, StoredKind>> = {
  "checkout.session": { payment_intent: "payment_intent" },
  payment_intent: { latest_charge: "charge" },
  charge: { payment_intent: "payment_intent" },
  refund: { charge: "charge", payment_intent: "payment_intent" },
};

function expandPath(
  store: ProviderStore,
  target: Record<string, unknown>,
  path: string[],
  fullPath: string,
): void {
  const [field, ...rest] = path;
  if (field === undefined) return;
  const kind = EXPANDABLE[String(target.object)]?.[field];
  if (kind === undefined) {
    throw invalidRequest(`This property cannot be expanded (${fullPath}).`, "expand");
  }
  const value = target[field];
  if (typeof value === "string") {
    const loaded = store.getObject<Record<string, unknown>>(kind, value);
    if (loaded !== undefined) target[field] = loaded;
  }
  const next = target[field];
  if (rest.length > 0 && next !== null && typeof next === "object") {
    expandPath(store, next as Record<string, unknown>, rest, fullPath);
  }
}

/** A copy of `object` with the requested paths expanded; throws a 400 on a path Stripe would refuse. */
export function expandObject<T>(store: ProviderStore, object: T, paths: string[]): T {
  if (paths.length === 0) return object;
  const copy = structuredClone(object) as Record<string, unknown>;
  for (const path of paths) expandPath(store, copy, path.split("."), path);
  return copy as T;
}
