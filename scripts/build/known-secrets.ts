// Secret values present in an environment, so the build and the validator can make sure none of
// them ends up in an emitted file. The caller (an entry file) passes its own environment in.

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|PRIVATE|_KEY$/i;

export function collectKnownSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !SECRET_NAME.test(name)) continue;
    for (const part of value.split(",")) {
      const trimmed = part.trim();
      if (trimmed.length >= 8) values.push(trimmed);
    }
  }
  return values;
}
