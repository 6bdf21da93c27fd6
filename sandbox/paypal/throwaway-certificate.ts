// The stand-in's own signing identity: an RSA key made at start and a self-signed X.509
// certificate for it, written in DER by hand (node:crypto makes keys but not certificates). It
// lives as long as the process; nothing is written to disk.

import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";

export interface ThrowawayCertificate {
  privateKey: KeyObject;
  /** PEM, as PayPal serves its certificate at PAYPAL-CERT-URL. */
  pem: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const text =
    iso.slice(2, 4) +
    iso.slice(5, 7) +
    iso.slice(8, 10) +
    iso.slice(11, 13) +
    iso.slice(14, 16) +
    iso.slice(17, 19) +
    "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

const name = (cn: string) =>
  tlv(0x30, tlv(0x31, tlv(0x30, oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn, "utf8")))));
const SHA256_WITH_RSA = tlv(0x30, oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));

/**
 * `random` as a DER INTEGER's content: positive (top bit clear) and minimal (no leading zero byte,
 * which parsers refuse as "illegal padding"; random bytes start with one once in 128 certificates).
 */
export function certificateSerial(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = serial[0]! & 0x7f || 0x01;
  return serial;
}

export function createThrowawayCertificate(commonName: string, now = new Date()): ThrowawayCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serial = certificateSerial(randomBytes(8));
  const tbs = tlv(
    0x30,
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, serial),
    SHA256_WITH_RSA,
    name(commonName),
    tlv(
      0x30,
      utcTime(new Date(now.getTime() - 3_600_000)),
      utcTime(new Date(now.getTime() + 30 * 86_400_000)),
    ),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = tlv(0x30, tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const body = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return { privateKey, pem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n` };
}
