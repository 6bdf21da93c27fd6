// The providers the kit can take payments with. Each one is a plugin in its own folder: the
// variables it reads and how to build its adapter. Adding a provider is its folder plus one line
// in PROVIDER_PLUGINS; nothing else in the endpoint names a provider.

import { KitError } from "../../common/kit-error";
import { adyenProvider } from "./adyen/plugin";
import { paypalProvider } from "./paypal/plugin";
import { stripeProvider } from "./stripe/plugin";
import type { PaymentProviderAdapter } from "./types";

export type Env = Record<string, string | undefined>;

export interface ProviderFactoryDeps {
  /** The endpoint's clock, for expiries the adapter computes. */
  now: () => Date;
  /**
   * This deployment's id: the adapter writes it on every object it creates and leaves objects
   * carrying another one alone (several deployments may share one provider account).
   */
  deploymentId: string;
}

export type ProviderEnvResult<Config> = { config: Config } | { problems: string[] };

/** One provider's place in the kit. */
export interface ProviderPlugin<Config = unknown> {
  readonly name: string;
  /** The environment variables it reads (named in messages, never their values). */
  readonly variables: readonly string[];
  /**
   * Its configuration from the environment, or every problem (each names the variable and what is
   * wrong, never the value). `required` is false when another provider takes new checkouts: then a
   * provider none of whose variables is set answers null (not configured here).
   */
  readEnv(env: Env, required: boolean): ProviderEnvResult<Config> | null;
  create(config: Config, deps: ProviderFactoryDeps): PaymentProviderAdapter;
}

export const PROVIDER_PLUGINS: readonly ProviderPlugin[] = [
  stripeProvider as ProviderPlugin,
  adyenProvider as ProviderPlugin,
  paypalProvider as ProviderPlugin,
];

/** The adapters of one endpoint: the one new checkouts use, and every one stored rows may name. */
export interface ProviderSet {
  readonly active: PaymentProviderAdapter;
  get(name: string): PaymentProviderAdapter | undefined;
  readonly all: readonly PaymentProviderAdapter[];
}

export function createProviderSet(
  active: PaymentProviderAdapter,
  others: PaymentProviderAdapter[] = [],
): ProviderSet {
  const byName = new Map<string, PaymentProviderAdapter>([[active.name, active]]);
  for (const adapter of others) if (!byName.has(adapter.name)) byName.set(adapter.name, adapter);
  return { active, get: (name) => byName.get(name), all: [...byName.values()] };
}

/** A stored row names a provider this endpoint has no configuration for. */
export class UnknownProviderError extends KitError {
  override readonly name = "UnknownProviderError";
  readonly code = "UNKNOWN_PROVIDER";

  constructor(provider: string) {
    super(`No adapter for provider "${provider.slice(0, 40)}" is configured on this endpoint.`, {
      hint: `Set that provider's variables (see .env.example) so its payments and refunds can be served.`,
      retryable: true,
    });
  }
}

/** The adapter that serves rows of `name` (the row's own provider, never simply the active one). */
export function adapterFor(providers: ProviderSet, name: string): PaymentProviderAdapter {
  const adapter = providers.get(name);
  if (!adapter) throw new UnknownProviderError(name);
  return adapter;
}
