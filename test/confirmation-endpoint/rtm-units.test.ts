// Units of real-time journeys mode: the event/timeout reader's metadata discovery (against a fake
// Web API that fails on any path it was not given), the redirectUrl reader, the return-URL choice
// and the RTM settings of the endpoint's configuration.

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { pickReturnUrl } from "../../confirmation-endpoint/rtm/pick-return-url";
import { readRedirectUrl, RedirectUrlMissingError } from "../../confirmation-endpoint/rtm/read-redirect-url";
import { createRtmEventReader } from "../../confirmation-endpoint/rtm/read-rtm-event";
import { FakeClock, MINUTE } from "./fakes";
import { PURCHASE, T0 } from "./harness";

const EVENT = "aaaaaaaa-0000-4000-8000-000000000001";
const PROVIDER = "bbbbbbbb-0000-4000-8000-000000000002";

function fakeWebApi(routes: Record<string, unknown>) {
  const asked: string[] = [];
  const unexpected: string[] = [];
  const client: Pick<DataverseClient, "get"> = {
    async get<T>(path: string) {
      asked.push(path);
      if (!(path in routes)) {
        unexpected.push(path);
        throw new Error(`unexpected GET ${path}`);
      }
      return { status: 200, headers: {}, data: routes[path] as T, requestId: "r", user: "u" };
    },
  };
  return { client, asked, unexpected };
}

const LOOKUPS =
  "EntityDefinitions(LogicalName='msevtmgt_event')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets";
const PROVIDER_ATTRS =
  "EntityDefinitions(LogicalName='msevtmgt_paymentprovider')/Attributes?$select=LogicalName,AttributeType";
const PURCHASE_PATH = `msevtmgt_eventpurchases(${PURCHASE})?$select=_msevtmgt_eventid_value`;

function standardRoutes(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [LOOKUPS]: {
      value: [
        { LogicalName: "msevtmgt_providerref", Targets: ["msevtmgt_paymentprovider"] },
        { LogicalName: "transactioncurrencyid", Targets: ["transactioncurrency"] },
      ],
    },
    [PROVIDER_ATTRS]: {
      value: [
        { LogicalName: "msevtmgt_name", AttributeType: "String" },
        { LogicalName: "msevtmgt_timeoutminutes", AttributeType: "Integer" },
      ],
    },
    [PURCHASE_PATH]: { _msevtmgt_eventid_value: EVENT },
    [`msevtmgt_events(${EVENT})?$select=msevtmgt_readableeventid,msevtmgt_name,_msevtmgt_providerref_value`]:
      {
        msevtmgt_readableeventid: "Summit_1",
        msevtmgt_name: "Summit",
        _msevtmgt_providerref_value: PROVIDER,
      },
    [`msevtmgt_paymentproviders(${PROVIDER})?$select=msevtmgt_timeoutminutes`]: {
      msevtmgt_timeoutminutes: 25,
    },
    ...overrides,
  };
}

describe("createRtmEventReader", () => {
  it("discovers the lookup and the timeout column from metadata, once, and caches the provider's timeout for 5 minutes", async () => {
    const api = fakeWebApi(standardRoutes());
    const clock = new FakeClock(T0);
    const reader = createRtmEventReader({ client: api.client, clock, logger: createMemoryLogger() });
    expect(await reader.read(PURCHASE)).toEqual({
      readableEventId: "Summit_1",
      eventName: "Summit",
      timeoutMinutes: 25,
      providerId: PROVIDER,
      usesPaymentProvider: true,
    });
    await reader.read(PURCHASE);
    expect(api.asked.filter((p) => p.startsWith("EntityDefinitions"))).toHaveLength(2);
    expect(api.asked.filter((p) => p.startsWith("msevtmgt_paymentproviders"))).toHaveLength(1);
    clock.advance(6 * MINUTE);
    await reader.read(PURCHASE);
    expect(api.asked.filter((p) => p.startsWith("msevtmgt_paymentproviders"))).toHaveLength(2);
    expect(api.unexpected).toEqual([]);
  });

  it("two candidate timeout columns → no timeout and a warning naming the setting (no guess)", async () => {
    const api = fakeWebApi(
      standardRoutes({
        [PROVIDER_ATTRS]: {
          value: [
            { LogicalName: "msevtmgt_timeoutminutes", AttributeType: "Integer" },
            { LogicalName: "new_sessiontimeout", AttributeType: "Integer" },
          ],
        },
      }),
    );
    const logger = createMemoryLogger();
    const reader = createRtmEventReader({ client: api.client, clock: new FakeClock(T0), logger });
    const info = await reader.read(PURCHASE);
    expect(info).toMatchObject({ readableEventId: "Summit_1", timeoutMinutes: null, providerId: PROVIDER });
    expect(
      logger.entries.some((e) => e.level === "warn" && String(e.msg).includes("RTM_PROVIDER_TIMEOUT_COLUMN")),
    ).toBe(true);
    expect(api.unexpected).toEqual([]);
  });

  it("named columns skip discovery; an unreadable purchase yields an empty answer instead of an error", async () => {
    const routes = standardRoutes();
    delete routes[LOOKUPS];
    delete routes[PROVIDER_ATTRS];
    const api = fakeWebApi(routes);
    const reader = createRtmEventReader({
      client: api.client,
      clock: new FakeClock(T0),
      logger: createMemoryLogger(),
      names: {
        eventProviderLookup: "msevtmgt_providerref",
        providerTimeoutColumn: "msevtmgt_timeoutminutes",
      },
    });
    expect((await reader.read(PURCHASE)).timeoutMinutes).toBe(25);
    expect(api.unexpected).toEqual([]);
    const other = "cccccccc-0000-4000-8000-000000000003";
    expect(await reader.read(other)).toEqual({
      readableEventId: null,
      eventName: null,
      timeoutMinutes: null,
      providerId: null,
      // Unread: nothing is known of the event's configuration, so nothing is refused on it.
      usesPaymentProvider: null,
    });
  });
});

describe("readRedirectUrl", () => {
  it("reads the key as documented and as the sample spells it", () => {
    expect(readRedirectUrl({ redirectUrl: "https://pay.test/v1/rtm/pay?purchaseId=x" })).toBe(
      "https://pay.test/v1/rtm/pay?purchaseId=x",
    );
    expect(readRedirectUrl({ "redirectUrl ": " https://pay.test/a " })).toBe("https://pay.test/a");
    expect(readRedirectUrl({ RedirectURL: "https://pay.test/b" })).toBe("https://pay.test/b");
  });
  it("says which keys there were when none fits", () => {
    expect(() => readRedirectUrl({ status: "ok" })).toThrow(RedirectUrlMissingError);
    expect(() => readRedirectUrl(null)).toThrow(/keys: none/);
  });
});

describe("pickReturnUrl", () => {
  const allowed = ["https://events.contoso.com"];
  it("follows only allowed origins", () => {
    expect(pickReturnUrl("https://events.contoso.com/e?id=1#top", allowed, "https://d/")).toEqual({
      url: "https://events.contoso.com/e?id=1",
      source: "given",
    });
    expect(pickReturnUrl("https://EVENTS.contoso.com/", allowed, "https://d/").source).toBe("given");
    expect(pickReturnUrl("http://events.contoso.com/", allowed, "https://d/")).toEqual({
      url: "https://d/",
      source: "foreign_origin",
    });
    expect(pickReturnUrl("//evil.example/", allowed, "https://d/").source).toBe("invalid");
    expect(pickReturnUrl("data:text/html,hi", allowed, "https://d/").source).toBe("invalid");
    expect(pickReturnUrl(null, allowed, "https://d/").source).toBe("missing");
  });
});

describe("RTM settings", () => {
  const VALID = {
    DATAVERSE_URL: "https://contoso.crm.dynamics.com",
    DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
    DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    DATAVERSE_CLIENT_SECRET: "s",
    PORTAL_ORIGINS: "https://events.contoso.com,https://portal.contoso.com",
    STRIPE_SECRET_KEY: "sk_test_x",
    STRIPE_WEBHOOK_SECRETS: "whsec_x",
  };
  it("defaults: return to the first portal origin, no public URL, columns discovered", () => {
    expect(loadConfig(VALID).rtm).toEqual({
      enabled: false,
      defaultReturnUrl: "https://events.contoso.com/",
      publicUrl: null,
      linkSecret: null,
      eventProviderLookup: null,
      providerTimeoutColumn: null,
    });
  });
  it("reads the settings and reports every bad one", () => {
    const c = loadConfig({
      ...VALID,
      ENDPOINT_PUBLIC_URL: "https://pay.contoso.com/base/",
      RTM_RETURN_URL: "https://events.contoso.com/thanks",
      RTM_PROVIDER_TIMEOUT_COLUMN: "New_Timeout",
    });
    expect(c.rtm).toMatchObject({
      publicUrl: "https://pay.contoso.com",
      defaultReturnUrl: "https://events.contoso.com/thanks",
      providerTimeoutColumn: "new_timeout",
    });
    expect(() =>
      loadConfig({
        ...VALID,
        ENDPOINT_PUBLIC_URL: "http://pay.contoso.com",
        RTM_EVENT_PROVIDER_LOOKUP: "x'; drop",
      }),
    ).toThrow(
      /ENDPOINT_PUBLIC_URL: must be an https URL[\s\S]*RTM_EVENT_PROVIDER_LOOKUP: is not a Dataverse logical name/,
    );
  });
});
