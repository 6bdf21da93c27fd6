// How the Dataverse stand-in writes an answer: its Date header follows the stand-in's clock (so a
// clock-skew check sees what setClock/advance did), and a fault becomes Dataverse's OData error
// body, with the annotations the caller asked for in Prefer.
import type { DataverseFault } from "./errors";

export function respond(
  now: () => number,
  status: number,
  body: string | null,
  headers: Record<string, string>,
): Response {
  const dated: Record<string, string> = { Date: new Date(now()).toUTCString(), ...headers };
  if (body !== null) dated["Content-Length"] = String(Buffer.byteLength(body));
  return new Response(body, { status, headers: dated });
}

function wantsAnnotations(prefer: string | null): { details: boolean; help: boolean } {
  const m = /odata\.include-annotations="?([^",;]*)/i.exec(prefer ?? "");
  const v = m?.[1] ?? "";
  return {
    details: v === "*" || v.includes("Microsoft.PowerApps.CDS.ErrorDetails"),
    help: v === "*" || v.includes("HelpLink") || prefer?.includes("HelpLink") === true,
  };
}

function errorBody(
  fault: DataverseFault,
  prefer: { details: boolean; help: boolean },
): Record<string, unknown> {
  const error: Record<string, unknown> = { code: fault.code, message: fault.message };
  if (prefer.details) {
    error["@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus"] = "0";
    if (fault.details.subErrorCode)
      error["@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode"] = fault.details.subErrorCode;
    error["@Microsoft.PowerApps.CDS.TraceText"] = `[Dataverse stand-in] ${fault.message}`;
    error["@Microsoft.PowerApps.CDS.InnerError.Message"] = fault.details.innerMessage ?? fault.message;
  }
  if (prefer.help)
    error["@Microsoft.PowerApps.CDS.HelpLink"] =
      `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${fault.code.replace(/^0x/, "")}&client=platform`;
  return error;
}

export function faultResponse(
  now: () => number,
  fault: DataverseFault,
  request: Request,
  headers: Record<string, string>,
): Response {
  const prefer = wantsAnnotations(request.headers.get("prefer"));
  const out: Record<string, string> = {
    ...headers,
    ...fault.details.headers,
    "Content-Type": "application/json; odata.metadata=minimal",
  };
  if (prefer.details || prefer.help)
    out["Preference-Applied"] =
      `odata.include-annotations="${prefer.details ? "*" : "Microsoft.PowerApps.CDS.HelpLink"}"`;
  return respond(now, fault.status, JSON.stringify({ error: errorBody(fault, prefer) }), out);
}
