// STORE_URL parsing and the PostgreSQL connection options it leads to: TLS as sslmode says, the
// password from the URL or PGPASSWORD, the pool size, and no credential in any message or name.

import { describe, expect, it } from "vitest";
import { toClientConfig } from "../../confirmation-endpoint/store/postgres/connection";
import { describeStore, parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { PostgresStoreConfig } from "../../confirmation-endpoint/store/store-url";

const pgConfig = (url: string, env = {}) => parseStoreUrl(url, env) as PostgresStoreConfig;

describe("parseStoreUrl", () => {
  it("keeps sqlite:<path> as it was", () => {
    expect(parseStoreUrl("sqlite:./data/x.sqlite")).toEqual({ kind: "sqlite", path: "./data/x.sqlite" });
    expect(parseStoreUrl("sqlite:")).toEqual({ problem: expect.stringContaining("needs a file path") });
  });

  it("reads a postgres:// URL: TLS from the URL before PGSSLMODE, pool size, password source", () => {
    const fromUrl = pgConfig("postgresql://app:s3cret@db.example:6432/gateway?sslmode=verify-full", {
      PGSSLMODE: "disable",
      PGPASSWORD: "other",
      STORE_POOL_SIZE: "25",
    });
    expect(fromUrl).toEqual({
      kind: "postgres",
      url: "postgresql://app:s3cret@db.example:6432/gateway",
      password: null,
      ssl: { mode: "verify-full", rootCertPath: null },
      poolSize: 25,
    });
    const fromEnv = pgConfig("postgres://app@db.example/gateway", {
      PGSSLMODE: "require",
      PGPASSWORD: "from-env",
    });
    expect(fromEnv).toMatchObject({ password: "from-env", ssl: { mode: "require" }, poolSize: 10 });
    expect(pgConfig("postgres://app@db.example/gateway").ssl.mode).toBe("prefer");
  });

  it.each([
    ["postgres:///gateway?password=pw-leak", {}, "names no host"],
    ["postgres://app:pw-leak@/gateway", {}, "is not a valid postgres:// URL"],
    ["postgres://app:pw-leak@db.example", {}, "names no database"],
    [
      "postgres://app:pw-leak@db.example/g?sslmode=pw-leak",
      {},
      "sslmode (in the URL or PGSSLMODE) must be one of",
    ],
    [
      "postgres://app:pw-leak@db.example/g",
      { STORE_POOL_SIZE: "1" },
      "STORE_POOL_SIZE must be a whole number",
    ],
    ["mysql://app:pw-leak@db.example/g", {}, "must be sqlite:<path>"],
  ])("explains what is wrong with %s without repeating it", (url, env, message) => {
    const result = parseStoreUrl(url, env) as { problem: string };
    expect(result.problem).toContain(message);
    expect(result.problem).not.toContain("pw-leak");
  });

  it("names a store without its credentials", () => {
    expect(describeStore(pgConfig("postgres://app:s3cret@db.example:6432/gateway"))).toBe(
      "postgres://db.example:6432/gateway",
    );
    expect(describeStore({ kind: "sqlite", path: "/x.sqlite" })).toBe("sqlite:/x.sqlite");
  });
});

describe("toClientConfig", () => {
  it.each([
    ["disable", false],
    ["prefer", false],
    ["require", { rejectUnauthorized: false }],
    ["verify-full", { rejectUnauthorized: true }],
  ])("sslmode=%s → ssl %o", (mode, ssl) => {
    expect(toClientConfig(pgConfig(`postgres://app@db.example/g?sslmode=${mode}`)).ssl).toEqual(ssl);
  });

  it("verify-ca checks the chain but not the host name", () => {
    const ssl = toClientConfig(pgConfig("postgres://app@db.example/g?sslmode=verify-ca")).ssl as {
      rejectUnauthorized: boolean;
      checkServerIdentity: () => undefined;
    };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.checkServerIdentity()).toBeUndefined();
  });

  it("passes host, port, database, user and the password from the URL or PGPASSWORD", () => {
    expect(toClientConfig(pgConfig("postgres://a%40b:p%3Aw@db.example:6432/gate"))).toMatchObject({
      host: "db.example",
      port: 6432,
      database: "gate",
      user: "a@b",
      password: "p:w",
    });
    expect(toClientConfig(pgConfig("postgres://app@db.example/g", { PGPASSWORD: "env-pw" })).password).toBe(
      "env-pw",
    );
  });
});
