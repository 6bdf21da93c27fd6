// One line for an error in a job's log, retry note or dead letter: its name, its stable code when
// it has one, and its message, cut to a size a table cell can hold.

const MAX_CHARS = 1000;

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` ${code}` : ""}: ${error.message}`.slice(0, MAX_CHARS);
  }
  return String(error).slice(0, MAX_CHARS);
}
