// GET contacts(<id>)?$select=emailaddress1: the purchasing contact's e-mail, for the provider's
// receipt. Null when the contact has none or does not exist; the address is never logged.

import { isGuid } from "../../../common/guid";
import { DataverseError } from "../errors";
import type { CallOptions } from "../types";
import type { OperationContext } from "./operation-context";

export async function readContactEmail(
  ctx: OperationContext,
  contactId: string,
  call: CallOptions = {},
): Promise<string | null> {
  if (!isGuid(contactId)) return null;
  try {
    const res = await ctx.client.get<{ emailaddress1?: unknown }>(
      `contacts(${contactId.toLowerCase()})?$select=emailaddress1`,
      call,
    );
    const email = res.data?.emailaddress1;
    return typeof email === "string" && email.trim() !== "" ? email.trim() : null;
  } catch (error) {
    if (error instanceof DataverseError && error.status === 404) return null;
    throw error;
  }
}
