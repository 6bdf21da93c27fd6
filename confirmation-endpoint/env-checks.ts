// Small checks shared by every schema that reads the environment (the endpoint's and each
// provider's). A problem names the variable and what is wrong, never the value: a value can be a
// secret pasted into the wrong variable, or a URL with credentials in it.

export type Env = Record<string, string | undefined>;

/** The trimmed value, or undefined when unset or blank. */
export function readText(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** Comma-separated items, trimmed, blanks dropped. */
export function readList(env: Env, name: string): string[] {
  return (readText(env, name) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Push a problem unless `value` is an https URL (http allowed for localhost when asked), without user info. */
export function checkUrl(name: string, value: string, problems: string[], allowHttpLocal: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name}: is not a URL`);
    return;
  }
  const local = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(allowHttpLocal && local && url.protocol === "http:")) {
    problems.push(`${name}: must be an https URL${allowHttpLocal ? " (http only for localhost)" : ""}`);
  }
  if (url.username || url.password) {
    problems.push(`${name}: must not carry a user name or password; put credentials in their own variables`);
  }
}
