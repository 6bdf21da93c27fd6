// What `startSandbox` refuses or fails at, with a stable code for scripts/start.ts and the tests.
import { KitError } from "../common/kit-error";

export class SandboxError extends KitError {
  override readonly name = "SandboxError";
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.code = code;
  }
}
