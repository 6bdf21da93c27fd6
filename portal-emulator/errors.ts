// Errors raised by the Power Pages emulation. Each carries a stable `code`; template errors also
// carry the web template name, line and column so an admin can jump to the spot.

import { KitError } from "../common/kit-error";

export class PortalError extends KitError {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** A web template failed to parse or render (unknown tag or filter, missing include, bad syntax). */
export class TemplateError extends PortalError {
  readonly templateName: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(
    details: { templateName: string; line?: number; column?: number; reason: string },
    options?: { cause?: unknown },
  ) {
    const where =
      details.line === undefined
        ? `Template "${details.templateName}"`
        : `Template "${details.templateName}" line ${details.line}, column ${details.column ?? 0}`;
    super("TEMPLATE_ERROR", `${where}: ${details.reason}`, options);
    this.templateName = details.templateName;
    this.line = details.line;
    this.column = details.column;
  }
}

/** The site folder is missing a record the pipeline needs (page template, web template, ...). */
export class SiteConfigurationError extends PortalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SITE_CONFIGURATION", message, options);
  }
}
