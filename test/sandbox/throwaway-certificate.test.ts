// The PayPal stand-in's self-signed certificate: its serial is a valid DER INTEGER whatever the
// random bytes (a leading zero byte once made one certificate in 256 unreadable: "illegal padding").

import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certificateSerial, createThrowawayCertificate } from "../../sandbox/paypal/throwaway-certificate";

describe("the PayPal stand-in's throwaway certificate", () => {
  it.each([
    ["00 then a low byte", "0012345678abcdef", "0112345678abcdef"],
    ["a top bit set", "ff12345678abcdef", "7f12345678abcdef"],
    ["80 then anything", "8000000000000000", "0100000000000000"],
    ["an ordinary first byte", "3a12345678abcdef", "3a12345678abcdef"],
  ])("serial from %s: positive, no leading zero", (_, random, expected) => {
    const serial = certificateSerial(Buffer.from(random, "hex"));
    expect(serial.toString("hex")).toBe(expected);
    expect(serial[0]).toBeGreaterThan(0);
    expect(serial[0]).toBeLessThan(0x80);
  });

  it("is a certificate Node reads, for its common name", () => {
    const { pem } = createThrowawayCertificate("stand-in");
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe("CN=stand-in");
    expect(cert.serialNumber).toMatch(/^[0-9A-F]{16}$/);
  });
});
