// Errors raised while reading or writing a pac site folder. Each carries a stable `code` so callers
// (the build, the validator, the preview) can tell them apart without matching on message text.

import { KitError } from "../common/kit-error";

export type SiteFolderErrorCode =
  | "SITE_FOLDER_NOT_FOUND"
  | "SITE_FOLDER_AMBIGUOUS"
  | "RECORD_FILE_UNREADABLE"
  | "RECORD_FILE_INVALID"
  | "KEY_STYLE_UNKNOWN"
  | "KEY_STYLE_MIXED";

export class SiteFolderError extends KitError {
  override readonly name = "SiteFolderError";
  readonly code: SiteFolderErrorCode;
  /** Path of the file or folder the problem is about, when there is one. */
  readonly file: string | undefined;

  constructor(code: SiteFolderErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.file = options.file;
  }
}
