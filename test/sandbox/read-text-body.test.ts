// The sandbox servers' body reader: text up to the limit, null beyond it.
import { describe, expect, it } from "vitest";
import { readTextBody } from "../../sandbox/read-text-body";

/** A POST whose body arrives in these chunks, with no Content-Length to trust. */
const request = (...chunks: Uint8Array[]) =>
  new Request("http://stand-in.invalid/", {
    method: "POST",
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    }),
    duplex: "half",
  } as RequestInit);
const bytes = (text: string) => new TextEncoder().encode(text);

describe("readTextBody", () => {
  it("joins the chunks as UTF-8, also a character split across chunks", async () => {
    const euro = bytes("€");
    expect(await readTextBody(request(bytes("a="), euro.subarray(0, 1), euro.subarray(1)), 100)).toBe("a=€");
  });

  it("answers the body at exactly the limit, and null one byte past it", async () => {
    expect(await readTextBody(request(bytes("12345")), 5)).toBe("12345");
    expect(await readTextBody(request(bytes("123"), bytes("456")), 5)).toBeNull();
  });

  it("answers null from a declared Content-Length over the limit without reading", async () => {
    const declared = new Request("http://stand-in.invalid/", {
      method: "POST",
      body: "123456",
      headers: { "content-length": "6" },
    });
    expect(await readTextBody(declared, 5)).toBeNull();
    expect(await readTextBody(new Request("http://stand-in.invalid/"), 5)).toBe("");
  });
});
