// The optional wake-up hook of the store contract, as the composition root uses it: the endpoint
// subscribes when its background work starts, a wake from the store (PostgreSQL's NOTIFY from
// another instance) runs the worker at once instead of at its next poll, and closing unsubscribes.

import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint } from "../../confirmation-endpoint/create-endpoint";
import type { Endpoint } from "../../confirmation-endpoint/create-endpoint";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { FakeDataverse } from "../confirmation-endpoint/fakes";

const ENV = {
  DATAVERSE_URL: "https://contoso.crm.dynamics.com",
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
  DATAVERSE_CLIENT_SECRET: "test-only",
  PORTAL_ORIGINS: "https://portal.test",
  STRIPE_SECRET_KEY: "sk_test_x",
  STRIPE_WEBHOOK_SECRETS: "whsec_test_fake",
};

let endpoint: Endpoint | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
});

describe("store wake-ups in the endpoint", () => {
  it("subscribes on start, runs the worker at once on a wake, unsubscribes on close", async () => {
    const base = openSqliteStore(":memory:");
    let wake: (() => void) | null = null;
    let unsubscribed = 0;
    let claims = 0;
    const store: PaymentStore = {
      ...base,
      claimJobs: (input) => {
        // The main lane's claims; the background lane (payments table) polls on its own.
        if (input.lane !== "background") claims += 1;
        return base.claimJobs(input);
      },
      watchWork(w) {
        wake = w;
        return () => (unsubscribed += 1);
      },
    };
    endpoint = createEndpoint(loadConfig(ENV), {
      store,
      dataverse: new FakeDataverse(),
      logger: createMemoryLogger(),
      missedEventsIntervalMs: 0,
    });
    expect(wake).toBeNull();
    endpoint.startBackground();
    expect(wake).not.toBeNull();
    await new Promise((r) => setTimeout(r, 100));
    expect(claims).toBe(1);
    // The poll is 5 s away: only the wake can bring the second claim this soon.
    wake!();
    await new Promise((r) => setTimeout(r, 100));
    expect(claims).toBe(2);
    await endpoint.close();
    endpoint = null;
    expect(unsubscribed).toBe(1);
    await base.close();
  });
});
