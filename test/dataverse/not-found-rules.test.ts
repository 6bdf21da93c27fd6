// DATAVERSE_PURCHASE_NOT_FOUND: the answers that mean "no such purchase" are configurable (the
// real texts of the event actions are unpublished), read from the environment and used by every action.
import { describe, expect, it } from "vitest";
import {
  isPurchaseMissing,
  parsePurchaseNotFoundRules,
} from "../../confirmation-endpoint/dataverse/classify-not-found";
import { DataverseError } from "../../confirmation-endpoint/dataverse/errors";
import { readDataverseEnv } from "../../confirmation-endpoint/dataverse/read-dataverse-env";

const answer = (status: number, code: string, message: string) =>
  new DataverseError({ status, code, message, retryable: false });

const env = {
  DATAVERSE_URL: "https://contoso.crm.dynamics.com",
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
  DATAVERSE_CLIENT_SECRET: "x",
};

describe("DATAVERSE_PURCHASE_NOT_FOUND", () => {
  it("reads statuses, codes and code=pattern rules; they replace the defaults", () => {
    const { rules, problems } = parsePurchaseNotFoundRules(
      "404; 0x80040217 ; 0x80040265=achat (introuvable|inconnu)",
    );
    expect(problems).toEqual([]);
    expect(rules).toHaveLength(3);
    expect(isPurchaseMissing(answer(404, "", "Not Found"), rules)).toBe(true);
    expect(isPurchaseMissing(answer(404, "0x80040217", "gone"), rules)).toBe(true);
    expect(isPurchaseMissing(answer(400, "0x80040265", "Achat INCONNU"), rules)).toBe(true);
    // The defaults' English wording is not in this list any more.
    expect(isPurchaseMissing(answer(400, "0x80040265", "Purchase 1 was not found."), rules)).toBe(false);
  });

  it("names each bad rule by its place, never accepting a half-read list", () => {
    expect(parsePurchaseNotFoundRules("0x80040265=(unclosed; not a code!").problems).toEqual([
      'rule 1: the message pattern after "=" is not a valid regular expression',
      "rule 2: start with an HTTP status (404) or a Dataverse code (0x80040265)",
    ]);
    expect(parsePurchaseNotFoundRules(" ; ").problems).toEqual([
      "no rule given; leave the variable unset for the defaults",
    ]);
  });

  it("reaches the Event Management API options through readDataverseEnv, and reports problems by name", () => {
    const ok = readDataverseEnv({ ...env, DATAVERSE_PURCHASE_NOT_FOUND: "0x80040265=introuvable" }, () => "");
    expect(ok.problems).toEqual([]);
    expect(ok.api.purchaseNotFound).toEqual([{ code: "0x80040265", message: /introuvable/i }]);
    expect(readDataverseEnv(env, () => "").api.purchaseNotFound).toBeUndefined();
    const bad = readDataverseEnv({ ...env, DATAVERSE_PURCHASE_NOT_FOUND: "nope nope" }, () => "");
    expect(bad.problems).toEqual([
      "DATAVERSE_PURCHASE_NOT_FOUND: rule 1: start with an HTTP status (404) or a Dataverse code (0x80040265)",
    ]);
  });
});
