// Runs pac the way @microsoft/powerplatform-cli-wrapper does: no shell, the automation-agent
// variable set, stdout lines to the logger's log and stderr lines to its error, every line kept
// for the error message, and a non-zero exit turned into a PacError.
import { spawn } from "node:child_process";
import { PacError } from "./errors";

export interface PacLogger {
  log(...lines: string[]): void;
  error(...lines: string[]): void;
}

export interface PacRunnerOptions {
  pacPath: string;
  workingDir: string;
  /** Identifies the caller to pac's telemetry (PP_TOOLS_AUTOMATION_AGENT). */
  agent: string;
  logger: PacLogger;
  /** The environment pac runs with (the caller's, plus what the runner adds). */
  env: NodeJS.ProcessEnv;
  /** Strings to blank out of every line before it is logged or kept (secrets). */
  redact?: readonly string[];
}

export type PacRunner = (args: readonly string[], extraEnv?: NodeJS.ProcessEnv) => Promise<string[]>;

export function redactLine(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}

export function createPacRunner(options: PacRunnerOptions): PacRunner {
  const secrets = options.redact ?? [];
  return (args, extraEnv = {}) =>
    new Promise((resolve, reject) => {
      const lines: string[] = [];
      const child = spawn(options.pacPath, [...args], {
        cwd: options.workingDir,
        env: {
          PATH: options.env.PATH,
          PP_TOOLS_AUTOMATION_AGENT: options.agent,
          ...options.env,
          ...extraEnv,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (sink: (line: string) => void) => {
        let rest = "";
        const onData = (chunk: Buffer) => {
          const parts = (rest + chunk.toString("utf8")).split(/\r?\n/);
          rest = parts.pop() ?? "";
          for (const part of parts) sink(part);
        };
        const flush = () => {
          if (rest) sink(rest);
          rest = "";
        };
        return { onData, flush };
      };
      const onOut = (line: string) => {
        const clean = redactLine(line, secrets);
        lines.push(clean);
        options.logger.log(clean);
      };
      const onErr = (line: string) => {
        const clean = redactLine(line, secrets);
        lines.push(clean);
        options.logger.error(clean);
      };
      const out = collect(onOut);
      const err = collect(onErr);
      child.stdout.on("data", out.onData);
      child.stderr.on("data", err.onData);
      child.on("error", (error) =>
        reject(new PacError(args, 1, [...lines, error.message], { cause: error })),
      );
      // Settle on exit rather than on close: pac's telemetry may leave a grandchild holding the
      // pipes open. Give the pipes one turn to deliver what is buffered, then let them go.
      child.on("exit", (code) => {
        setImmediate(() => {
          out.flush();
          err.flush();
          child.stdout.destroy();
          child.stderr.destroy();
          if (code === 0) resolve(lines);
          else reject(new PacError(args, code ?? 1, lines));
        });
      });
    });
}
