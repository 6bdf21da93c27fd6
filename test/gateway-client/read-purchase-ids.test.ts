import { describe, expect, it } from "vitest";
import { normalizeGuid, readPurchaseIds } from "../../gateway-client/read-purchase-ids";

const GUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const page = (query: string) => `https://events.example.test/pay/?${query}`;

/** A storage stand-in that records which keys were read. */
function storage(values: Record<string, string>) {
  const read: string[] = [];
  return {
    read,
    getItem: (key: string) => {
      read.push(key);
      return Object.prototype.hasOwnProperty.call(values, key) ? (values[key] ?? null) : null;
    },
  };
}

describe("purchase id from the query string", () => {
  it.each([
    ["purchaseId", GUID],
    ["purchaseid", GUID],
    ["PURCHASEID", GUID],
    ["PurchaseId", GUID.toUpperCase()],
    ["purchase-id", GUID],
    ["purchaseId", `{${GUID}}`],
    ["purchaseId", `{${GUID.toUpperCase()}}`],
    ["purchaseId", ` ${GUID} `],
  ])("accepts %s=%s and lower-cases it without braces", (name, value) => {
    const ids = readPurchaseIds(page(`id=Evt1&${name}=${encodeURIComponent(value)}`), null);
    expect(ids).toEqual({ ok: true, purchaseId: GUID, readableEventId: "Evt1", fromQuery: true });
  });

  it.each([
    "not-a-guid",
    `${GUID}0`,
    `{${GUID}`,
    `${GUID}}`,
    "3f2504e0-4f89-41d3-9a0c-0305e82c330z",
    "12345",
  ])("refuses the malformed value %s", (value) => {
    const ids = readPurchaseIds(
      page(`id=Evt1&purchaseId=${encodeURIComponent(value)}`),
      storage({ "purchase-id": GUID }),
    );
    expect(ids).toEqual({ ok: false, reason: "invalid", readableEventId: "Evt1" });
  });

  it("prefers the query over sessionStorage", () => {
    const other = "00000000-0000-4000-8000-000000000001";
    const ids = readPurchaseIds(page(`id=Evt1&purchaseId=${GUID}`), storage({ "purchase-id": other }));
    expect(ids.ok && ids.purchaseId).toBe(GUID);
  });
});

describe("purchase id from sessionStorage", () => {
  it("falls back to sessionStorage['purchase-id'] (braces allowed) and reads nothing else", () => {
    const s = storage({ "purchase-id": `{${GUID.toUpperCase()}}`, total: "1", currency: "$" });
    const ids = readPurchaseIds(page("id=Evt1"), s);
    expect(ids).toEqual({ ok: true, purchaseId: GUID, readableEventId: "Evt1", fromQuery: false });
    expect(s.read).toEqual(["purchase-id"]);
  });

  it("says missing when neither place has it", () => {
    expect(readPurchaseIds(page("id=Evt1"), storage({}))).toEqual({
      ok: false,
      reason: "missing",
      readableEventId: "Evt1",
    });
    expect(readPurchaseIds(page("id=Evt1&purchaseId="), null)).toEqual({
      ok: false,
      reason: "missing",
      readableEventId: "Evt1",
    });
  });

  it("treats a storage that throws as empty", () => {
    const throwing = {
      getItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(readPurchaseIds(page("id=Evt1"), throwing)).toEqual({
      ok: false,
      reason: "missing",
      readableEventId: "Evt1",
    });
  });

  it("refuses a malformed stored value", () => {
    expect(readPurchaseIds(page("id=Evt1"), storage({ "purchase-id": "abc" }))).toMatchObject({
      ok: false,
      reason: "invalid",
    });
  });
});

describe("readable event id", () => {
  it.each([
    ["id=Evt1", "Evt1"],
    ["ID=Evt1", "Evt1"],
    ["readableEventId=Evt1", "Evt1"],
    ["EVENT=Evt1", "Evt1"],
    ["event=Other&id=Evt1", "Evt1"],
  ])("reads %s", (query, expected) => {
    const ids = readPurchaseIds(page(`${query}&purchaseId=${GUID}`), null);
    expect(ids.ok && ids.readableEventId).toBe(expected);
  });

  it("stops when it is missing", () => {
    expect(readPurchaseIds(page(`purchaseId=${GUID}`), null)).toEqual({
      ok: false,
      reason: "missing",
      readableEventId: null,
    });
  });
});

describe("normalizeGuid", () => {
  it("returns null for braces on one side only", () => {
    expect(normalizeGuid(`{${GUID}`)).toBeNull();
    expect(normalizeGuid(`{${GUID}}`)).toBe(GUID);
  });
});
