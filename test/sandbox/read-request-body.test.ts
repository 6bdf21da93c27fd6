// The sandbox servers' body reader: text up to the limit, null beyond it (having read to the end).
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readRequestBody } from "../../sandbox/read-request-body";

const request = (...chunks: string[]) => {
  const stream = Readable.from(chunks.map((c) => Buffer.from(c)));
  return { stream, message: stream as unknown as IncomingMessage };
};

describe("readRequestBody", () => {
  it("joins the chunks as UTF-8, also a character split across chunks", async () => {
    const euro = Buffer.from("€");
    const stream = Readable.from([Buffer.from("a="), euro.subarray(0, 1), euro.subarray(1)]);
    expect(await readRequestBody(stream as unknown as IncomingMessage, 100)).toBe("a=€");
  });

  it("answers the body at exactly the limit, and null one byte past it after reading to the end", async () => {
    expect(await readRequestBody(request("12345").message, 5)).toBe("12345");
    const over = request("123", "456", "789");
    expect(await readRequestBody(over.message, 5)).toBeNull();
    expect(over.stream.readableEnded).toBe(true);
  });
});
