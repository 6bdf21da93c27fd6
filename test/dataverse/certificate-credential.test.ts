import { execFileSync } from "node:child_process";
import {
  X509Certificate,
  constants,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
} from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareCertificate } from "../../confirmation-endpoint/dataverse/credentials";
import { createDataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import { DataverseConfigError } from "../../confirmation-endpoint/dataverse/errors";
import { API, parseForm, startFakeDataverse } from "./fake-dataverse";
import type { FakeDataverse } from "./fake-dataverse";

// Throwaway keys made here; no real key is ever committed.

let fake: FakeDataverse;
let client: DataverseClient | undefined;

beforeEach(async () => {
  fake = await startFakeDataverse();
});
afterEach(async () => {
  client?.close();
  client = undefined;
  await fake.close();
});

function decodeJwt(jwt: string) {
  const [h, p, s] = jwt.split(".");
  return {
    header: JSON.parse(Buffer.from(h!, "base64url").toString()) as Record<string, string>,
    payload: JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>,
    signed: `${h}.${p}`,
    signature: Buffer.from(s!, "base64url"),
  };
}

function verifyJwt(jwt: ReturnType<typeof decodeJwt>, publicKeyPem: string): boolean {
  const key = createPublicKey(publicKeyPem);
  if (jwt.header.alg === "PS256") {
    return verify(
      "sha256",
      Buffer.from(jwt.signed),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      jwt.signature,
    );
  }
  return verify("sha256", Buffer.from(jwt.signed), key, jwt.signature);
}

describe("certificate credentials", () => {
  it("signs a client assertion with an encrypted PEM key and the SHA-256 thumbprint", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pass-phrase" },
    });
    const thumbprint = randomBytes(32).toString("hex");
    client = createDataverseClient({
      url: fake.url,
      tenantId: fake.tenantId,
      clientId: "22222222-2222-2222-2222-222222222222",
      credentials: [
        {
          certificate: {
            privateKeyPem: privateKey,
            passphrase: "pass-phrase",
            thumbprint: thumbprint.toUpperCase(),
          },
        },
      ],
      authorityHost: fake.url,
    });
    fake.expect("GET", `${API}WhoAmI`, () => ({ status: 200, body: {} }));
    await client.get("WhoAmI");
    fake.assertDone();
    const form = parseForm(fake.tokenRequests[0]!.body);
    expect(form.client_secret).toBeUndefined();
    expect(form.client_assertion_type).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    const jwt = decodeJwt(form.client_assertion!);
    expect(jwt.header["x5t#S256"]).toBe(Buffer.from(thumbprint, "hex").toString("base64url"));
    expect(jwt.payload).toMatchObject({
      iss: "22222222-2222-2222-2222-222222222222",
      sub: "22222222-2222-2222-2222-222222222222",
    });
    expect(verifyJwt(jwt, publicKey)).toBe(true);
  });

  it.skipIf(!existsSync("/usr/bin/openssl"))(
    "computes the thumbprint from a certificate in the PEM file",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "dv-cert-"));
      try {
        execFileSync(
          "/usr/bin/openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            join(dir, "key.pem"),
            "-out",
            join(dir, "cert.pem"),
            "-days",
            "1",
            "-subj",
            "/CN=throwaway-test",
          ],
          { stdio: "ignore" },
        );
        const keyPem = readFileSync(join(dir, "key.pem"), "utf8");
        const certPem = readFileSync(join(dir, "cert.pem"), "utf8");
        const prepared = prepareCertificate(
          { privateKeyPem: `${keyPem}\n${certPem}`, sendX5c: true },
          "test",
        );
        expect(prepared.thumbprintSha256).toBe(
          new X509Certificate(certPem).fingerprint256.replace(/:/g, "").toLowerCase(),
        );
        expect(prepared.x5c).toContain("BEGIN CERTIFICATE");
        expect(prepared.privateKey).toContain("BEGIN PRIVATE KEY");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("refuses a wrong passphrase, a missing thumbprint and a malformed one with clear messages", () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "right" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const problems = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(DataverseConfigError);
        return (error as DataverseConfigError).message;
      }
      throw new Error("expected a DataverseConfigError");
    };
    expect(
      problems(() =>
        prepareCertificate(
          { privateKeyPem: privateKey, passphrase: "wrong", thumbprint: "a".repeat(64) },
          "user1",
        ),
      ),
    ).toMatch(/user1: the private key cannot be read/);
    expect(
      problems(() => prepareCertificate({ privateKeyPem: privateKey, passphrase: "right" }, "user1")),
    ).toMatch(/needs its thumbprint/);
    expect(
      problems(() =>
        prepareCertificate({ privateKeyPem: privateKey, passphrase: "right", thumbprint: "abc" }, "user1"),
      ),
    ).toMatch(/64 hex characters/);
    expect(
      problems(() =>
        prepareCertificate({ privateKeyPem: "nothing here", thumbprint: "a".repeat(40) }, "user1"),
      ),
    ).toMatch(/no PEM private key/);
  });
});
