import { describe, expect, it } from "vitest";
import { normalizeGuid } from "../../confirmation-endpoint/guid";

describe("normalizeGuid", () => {
  it("accepts braces, upper case and spaces, and answers the bare lower-case form", () => {
    expect(normalizeGuid(" {3F2504E0-4F89-11D3-9A0C-0305E82C3301} ")).toBe(
      "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    );
    expect(normalizeGuid("3f2504e0-4f89-11d3-9a0c-0305e82c3301")).toBe(
      "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    );
  });

  it("refuses what is not one GUID", () => {
    for (const bad of [
      "",
      "12345",
      "{3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      "3f2504e04f8911d39a0c0305e82c3301",
      "3f2504e0-4f89-11d3-9a0c-0305e82c330g",
    ]) {
      expect(normalizeGuid(bad)).toBeNull();
    }
  });
});
