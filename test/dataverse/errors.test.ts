import { describe, expect, it } from "vitest";
import { KitError, isKitError } from "../../common/kit-error";
import {
  DEFAULT_PURCHASE_NOT_FOUND_RULES,
  isPurchaseMissing,
  isSegmentNotFound,
  purchaseNotFound,
} from "../../confirmation-endpoint/dataverse/classify-not-found";
import {
  DataverseAuthError,
  DataverseConfigError,
  DataverseError,
  DeadlineExceededError,
} from "../../confirmation-endpoint/dataverse/errors";

const answer = (status: number, code: string, message: string, subErrorCode?: string) =>
  new DataverseError({ status, code, message, subErrorCode, retryable: false });

describe("the Dataverse error family on the kit's error base", () => {
  it("keeps Dataverse's fields and adds code, hint, retryable and cause", () => {
    const cause = new Error("socket");
    const error = new DataverseError({
      status: 429,
      code: "0x80072322",
      message: "throttled",
      subErrorCode: "x",
      retryAfterMs: 2000,
      requestId: "r1",
      retryable: true,
      ambiguous: false,
      operation: "POST msevtmgt_Act",
      hint: "wait",
      cause,
    });
    expect(error).toBeInstanceOf(KitError);
    expect(isKitError(error)).toBe(true);
    expect(error).toMatchObject({
      name: "DataverseError",
      status: 429,
      code: "0x80072322",
      subErrorCode: "x",
      retryAfterMs: 2000,
      requestId: "r1",
      retryable: true,
      ambiguous: false,
      operation: "POST msevtmgt_Act",
      hint: "wait",
      cause,
    });
  });

  it("deadline, configuration and auth errors are KitErrors with stable codes", () => {
    const deadline = new DeadlineExceededError("late", 5);
    const config = new DataverseConfigError(["url is missing"]);
    const auth = new DataverseAuthError("refused", { authErrorCode: "invalid_client", retryable: false });
    expect([deadline, config, auth].every((e) => e instanceof KitError)).toBe(true);
    expect(deadline).toMatchObject({ code: "DEADLINE_EXCEEDED", deadline: 5, retryable: true });
    expect(config).toMatchObject({
      code: "DATAVERSE_CONFIG",
      problems: ["url is missing"],
      retryable: false,
    });
    expect(config.hint).toMatch(/DATAVERSE_/);
    expect(auth).toMatchObject({ code: "DATAVERSE_AUTH", authErrorCode: "invalid_client", retryable: false });
  });
});

describe("not-found answers", () => {
  const rules = DEFAULT_PURCHASE_NOT_FOUND_RULES;

  it("a missing segment is a setup problem, never a missing purchase", () => {
    const segment = answer(404, "0x8006088a", "Resource not found for the segment 'msevtmgt_X'.");
    expect(isSegmentNotFound(segment)).toBe(true);
    expect(isPurchaseMissing(segment, rules)).toBe(false);
  });

  it.each([
    ["a plain 404", answer(404, "", "Not Found")],
    ["ObjectDoesNotExist", answer(404, "0x80040217", "msevtmgt_eventpurchase With Id = 1 Does Not Exist")],
    ["the plug-in's 'was not found'", answer(400, "0x80040265", "Purchase 1 was not found.")],
    ["the plug-in's sub-code", answer(400, "0x80040265", "Refused", "PurchaseNotFound")],
  ])("%s is a missing purchase", (_name, error) => {
    expect(isPurchaseMissing(error, rules)).toBe(true);
    expect(purchaseNotFound("p1", error)).toMatchObject({
      code: "PURCHASE_NOT_FOUND",
      status: 404,
      cause: error,
    });
  });

  it.each([
    ["an expired purchase", answer(400, "0x80040265", "Purchase has expired.")],
    ["a full event", answer(400, "0x80040265", "The event is full.")],
    [
      "a missing privilege",
      answer(403, "0x80040220", "Principal user is missing prvReadmsevtmgt_eventpurchase"),
    ],
  ])("%s is not", (_name, error) => {
    expect(isPurchaseMissing(error, rules)).toBe(false);
  });

  it("an empty rule matches nothing; an empty list turns the mapping off", () => {
    const missing = answer(404, "0x80040217", "Does Not Exist");
    expect(isPurchaseMissing(missing, [{}])).toBe(false);
    expect(isPurchaseMissing(missing, [])).toBe(false);
  });
});
