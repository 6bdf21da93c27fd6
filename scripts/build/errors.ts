// Errors of the build and the site overlay. `code` is stable; `file` and `line` point at what to fix.

import { KitError } from "../../common/kit-error";

export type BuildErrorCode =
  | "DEFINITIONS_INVALID"
  | "CONFIG_UNREADABLE"
  | "TEMPLATE_SLOT_ERROR"
  | "TEMPLATE_TOO_LARGE"
  | "CLIENT_BUNDLE_FAILED"
  | "SITE_NO_PUBLISHED_STATE"
  | "SITE_NO_HOME_PAGE"
  | "SITE_NO_LANGUAGE"
  | "SITE_RECORD_CLASH"
  | "PARTIAL_URL_INVALID"
  | "SECRET_IN_OUTPUT"
  | "VALIDATION_FAILED"
  | "WRITE_FAILED";

export class BuildError extends KitError {
  override readonly name = "BuildError";
  readonly code: BuildErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(
    code: BuildErrorCode,
    message: string,
    options: { file?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.line = options.line;
  }
}
