// Shapes of secrets that must never land in anything the build emits or a site folder holds.

import { BuildError } from "./errors";

export interface SecretHit {
  /** What kind of secret it looks like (never the secret itself). */
  kind: string;
  line: number;
}

const SHAPES: Array<{ kind: string; pattern: RegExp }> = [
  { kind: "Stripe live secret key (sk_live_…)", pattern: /\bsk_live_[A-Za-z0-9]{8,}/ },
  { kind: "Stripe test secret key (sk_test_…)", pattern: /\bsk_test_[A-Za-z0-9]{8,}/ },
  { kind: "Stripe restricted key (rk_…)", pattern: /\brk_(?:live|test)_[A-Za-z0-9]{8,}/ },
  { kind: "webhook signing secret (whsec_…)", pattern: /\bwhsec_[A-Za-z0-9+/=]{8,}/ },
  { kind: "private key", pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/ },
  {
    kind: "Entra ID client secret",
    pattern: /(?<![A-Za-z0-9~_.-])[A-Za-z0-9_.-]{3}8Q~[A-Za-z0-9~_.-]{31,34}(?![A-Za-z0-9~_.-])/,
  },
  {
    kind: "client secret assignment",
    pattern: /client[_-]?secret["']?\s*[:=]\s*["']?[A-Za-z0-9~_.+/=-]{16,}/i,
  },
];

/**
 * Finds secret-shaped strings in `text`, plus any exact occurrence of `knownSecrets` (values the
 * caller read from its environment). Returns one hit per line and kind, never the matched text.
 */
export function findSecrets(text: string, knownSecrets: readonly string[] = []): SecretHit[] {
  const hits: SecretHit[] = [];
  const known = knownSecrets.filter((s) => s.length >= 8);
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    for (const shape of SHAPES) {
      if (shape.pattern.test(line)) hits.push({ kind: shape.kind, line: index + 1 });
    }
    if (known.some((secret) => line.includes(secret))) {
      hits.push({ kind: "a secret value from the environment", line: index + 1 });
    }
  });
  return hits;
}

/**
 * Throws SECRET_IN_OUTPUT for the first file that holds something secret-shaped, before anything is
 * written. `shownAs` gives the path the message names (e.g. `dist/<path>`).
 */
export function refuseSecretsInFiles(
  files: ReadonlyArray<{ path: string; content: string }>,
  knownSecrets: readonly string[],
  shownAs: (path: string) => string = (path) => path,
): void {
  for (const file of files) {
    const hit = findSecrets(file.content, knownSecrets)[0];
    if (!hit) continue;
    throw new BuildError(
      "SECRET_IN_OUTPUT",
      `${shownAs(file.path)} line ${hit.line}: the build would write something shaped like a ${hit.kind}. Nothing was written. Keep secrets in the endpoint's environment, not in definitions, config files or options.`,
      { file: file.path, line: hit.line },
    );
  }
}
