// Errors the stand-in answers with. A DataverseFault carries what goes on the wire (status, the
// OData error code Dataverse would use, the message) so every route maps failures the same way.

export interface FaultDetails {
  /** HTTP headers to add, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Goes into @Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode when the caller asks for annotations. */
  subErrorCode?: string;
  /** Goes into @Microsoft.PowerApps.CDS.InnerError.Message when the caller asks for annotations. */
  innerMessage?: string;
}

export class DataverseFault extends Error {
  override readonly name = "DataverseFault";
  readonly status: number;
  /** OData error code as Dataverse writes it ("0x80040265"); may be "". */
  readonly code: string;
  readonly details: FaultDetails;

  constructor(status: number, code: string, message: string, details: FaultDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Error codes Dataverse uses for the situations the stand-in reproduces. */
export const ErrorCodes = {
  /** Unknown segment: action absent or misspelt (case-sensitive). */
  resourceNotFound: "0x8006088a",
  /** URL or body the OData layer cannot parse (unknown property, bad $filter). */
  querySyntax: "0x80060888",
  /** Record with that id does not exist. */
  recordNotFound: "0x80040217",
  /** A plug-in or custom API refused the operation (InvalidPluginExecutionException). */
  pluginRefused: "0x80040265",
  /** A parameter is missing or malformed. */
  invalidArgument: "0x80040203",
  /** The caller's security role lacks a privilege. */
  missingPrivilege: "0x80040220",
  /** If-Match version differs from the row's (412). */
  concurrencyVersionMismatch: "0x80060882",
  /** If-None-Match: * and the row exists (412). */
  duplicateRecord: "0x80040237",
  /** Generic server failure. */
  unexpected: "0x80040216",
  throttleRequests: "0x80072322",
  throttleTime: "0x80072321",
  throttleConcurrency: "0x80072326",
} as const;

export function notFoundSegment(segment: string): DataverseFault {
  return new DataverseFault(
    404,
    ErrorCodes.resourceNotFound,
    `Resource not found for the segment '${segment}'.`,
  );
}

export function badRequest(message: string, code: string = ErrorCodes.querySyntax): DataverseFault {
  return new DataverseFault(400, code, message);
}
