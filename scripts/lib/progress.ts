// Progress lines for long commands: "→ step…" when a step starts, "✓ step (1.2 s)" or
// "✗ step (0.3 s)" when it ends, all on stderr so stdout stays for results.

import { KitError } from "../../common/kit-error";
export interface ProgressSink {
  write(line: string): void;
}

export type StepRunner = <T>(label: string, work: () => Promise<T>) => Promise<T>;

export class StepError extends KitError {
  readonly code = "STEP_FAILED";
  constructor(
    readonly step: string,
    override readonly hint: string,
    options: { cause: unknown },
  ) {
    super(
      `Step "${step}" failed: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
    this.name = "StepError";
  }
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function createStepRunner(
  sink: ProgressSink,
  now: () => number = () => performance.now(),
): StepRunner {
  return async (label, work) => {
    sink.write(`→ ${label}…`);
    const started = now();
    try {
      const result = await work();
      sink.write(`✓ ${label} (${formatDuration(now() - started)})`);
      return result;
    } catch (error) {
      sink.write(`✗ ${label} (${formatDuration(now() - started)})`);
      throw error;
    }
  };
}
