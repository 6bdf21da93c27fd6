// Third-party clients against the Dataverse stand-in, with no special settings beyond where it is:
// dynamics-web-api for the Web API, @azure/msal-node (through the loopback network client) for tokens.
import { generateKeyPairSync, createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { DynamicsWebApi } from "dynamics-web-api";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";
import { createMsalLoopbackSettings } from "../../sandbox/dataverse/msal-loopback";
import { accessToken, twoAttendees } from "./dataverse-helpers";

let standIn: DataverseStandIn | null = null;
afterEach(async () => {
  await standIn?.close();
  standIn = null;
});

describe("dynamics-web-api against the stand-in", () => {
  it("calls the event-management actions and reads the tables", async () => {
    standIn = await startDataverseStandIn();
    const s = standIn;
    const seed = s.seed();
    const token = await accessToken(s);
    const api = new DynamicsWebApi({ serverUrl: s.url, onTokenRefresh: async () => token });
    const reg = s.register({
      readableEventId: seed.paidEvent.readableEventId,
      attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[1]!.id]),
    });
    const purchaseId = reg.purchaseId!;

    const detailed = await api.callAction<{ PurchaseDetails: string }>({
      actionName: "msevtmgt_ListDetailedPurchaseInfo",
      action: { PurchaseId: purchaseId },
    });
    expect(JSON.parse(detailed.PurchaseDetails)).toEqual({
      EventName: "Sandbox Summit",
      ReadableEventId: "Sandbox_Summit_2026",
      TotalAmount: 55,
      CurrencyIsoCode: "EUR",
      CurrencySymbol: "€",
      Attendees: [
        {
          FirstName: "Ada",
          LastName: "Lovelace",
          Email: "ada@example.com",
          PassName: "Full conference",
          PassPrice: 40,
        },
        {
          FirstName: "Alan",
          LastName: "Turing",
          Email: "alan@example.com",
          PassName: "Day ticket",
          PassPrice: 15,
        },
      ],
    });

    const flat = await api.callAction<Record<string, unknown>>({
      actionName: "msevtmgt_GetPurchaseDetailsAction",
      action: { PurchaseId: purchaseId },
    });
    expect(flat).toMatchObject({
      EventName: "Sandbox Summit",
      TotalAmount: 55,
      CurrencyName: "Euro",
      CurrencyIsoCode: "EUR",
      CurrencySymbol: "€",
    });

    const row = await api.retrieve<Record<string, unknown>>({
      collection: "msevtmgt_eventpurchases",
      key: purchaseId,
      select: [
        "msevtmgt_paid",
        "msevtmgt_processed",
        "_msevtmgt_purchasingcontactid_value",
        "msevtmgt_totalprice",
      ],
      expand: [{ property: "TransactionCurrency_msevtmgt_eventpurchase", select: ["isocurrencycode"] }],
    });
    expect(row).toMatchObject({ msevtmgt_paid: false, msevtmgt_processed: false, msevtmgt_totalprice: 55 });
    expect((row.TransactionCurrency_msevtmgt_eventpurchase as Record<string, unknown>).isocurrencycode).toBe(
      "EUR",
    );

    const finalized = await api.callAction<{ status: string }>({
      actionName: "msevtmgt_FinalizeExternalRegistrationRequest",
      action: { PurchaseId: purchaseId, ReadableEventId: seed.paidEvent.readableEventId, UserId: "" },
    });
    expect(finalized.status).toBe("Success");

    const registrations = await api.retrieveMultiple<Record<string, unknown>>({
      collection: "msevtmgt_eventregistrations",
      select: ["msevtmgt_name", "_msevtmgt_contactid_value"],
      filter: `_msevtmgt_eventid_value eq ${seed.paidEvent.id}`,
    });
    expect(registrations.value.map((r) => r.msevtmgt_name).sort()).toEqual(["Ada Lovelace", "Alan Turing"]);

    const events = await api.retrieveMultiple<Record<string, unknown>>({
      collection: "msevtmgt_events",
      select: ["msevtmgt_name"],
      filter: "msevtmgt_readableeventid eq 'Sandbox_Meetup_2026'",
    });
    expect(events.value).toHaveLength(1);
    const passes = await api.retrieveMultiple<Record<string, unknown>>({
      collection: "msevtmgt_passes",
      select: ["msevtmgt_name", "msevtmgt_noofpassessold"],
      top: 5,
    });
    expect(passes.value.map((p) => p.msevtmgt_noofpassessold)).toEqual([1, 1]);

    const lookups = await api.retrieveAttributes<Record<string, unknown>>({
      entityKey: "LogicalName='msevtmgt_event'",
      castType: "Microsoft.Dynamics.CRM.LookupAttributeMetadata",
      select: ["LogicalName", "Targets"],
    });
    expect(lookups.value.find((a) => (a.Targets as string[]).includes("adx_webpage"))?.LogicalName).toBe(
      "msevtmgt_portalpaymentgatewayid",
    );

    await api.update({
      collection: "msevtmgt_events",
      key: seed.freeEvent.id,
      data: { "msevtmgt_portalpaymentgatewayid@odata.bind": `/adx_webpages(${seed.gatewayWebPageId})` },
    });
    expect(s.state.get("msevtmgt_events", seed.freeEvent.id)?._msevtmgt_portalpaymentgatewayid_value).toBe(
      seed.gatewayWebPageId,
    );

    const me = await api.callFunction<{ UserId: string }>({ name: "WhoAmI" });
    expect(me.UserId).toMatch(/^[0-9a-f-]{36}$/);

    await expect(
      api.callAction({
        actionName: "msevtmgt_FinalizeExternalRegistrationRequest",
        action: { PurchaseId: "00000000-0000-0000-0000-00000000abcd", ReadableEventId: "x", UserId: "" },
      }),
    ).rejects.toMatchObject({ status: 400, code: "0x80040265" });
  });
});

describe("msal-node against the stand-in's token endpoint", () => {
  it("acquires a token with a client secret through the loopback network client and the Web API accepts it", async () => {
    standIn = await startDataverseStandIn();
    const s = standIn;
    const loop = createMsalLoopbackSettings(s.authorityHost, s.tenantId);
    const posts: string[] = [];
    const counting = {
      sendGetRequestAsync: loop.networkClient.sendGetRequestAsync.bind(loop.networkClient),
      sendPostRequestAsync: <T>(
        url: string,
        options?: { body?: string; headers?: Record<string, string> },
      ) => {
        posts.push(url);
        return loop.networkClient.sendPostRequestAsync<T>(url, options);
      },
    };
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        authority: loop.authority,
        knownAuthorities: loop.knownAuthorities,
        authorityMetadata: loop.authorityMetadata,
      },
      system: { networkClient: counting },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [s.scope] });
    expect(result?.accessToken).toBeTruthy();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain(`/${s.tenantId}/oauth2/v2.0/token`);
    const again = await cca.acquireTokenByClientCredential({ scopes: [s.scope] });
    expect(again?.accessToken).toBe(result?.accessToken);
    expect(posts).toHaveLength(1);

    const api = new DynamicsWebApi({
      serverUrl: s.url,
      onTokenRefresh: async () => result?.accessToken ?? null,
    });
    await expect(api.callFunction({ name: "WhoAmI" })).resolves.toHaveProperty("UserId");
  });

  it("acquires a token with a certificate (client assertion) registered on the application user", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    standIn = await startDataverseStandIn({
      applicationUsers: [{ clientId: "5e7a1c7e-0000-4000-8000-0000000000c1", certificatePem: publicPem }],
    });
    const s = standIn;
    const loop = createMsalLoopbackSettings(s.authorityHost, s.tenantId);
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: "5e7a1c7e-0000-4000-8000-0000000000c1",
        clientCertificate: {
          thumbprintSha256: createHash("sha256").update(publicPem).digest("hex"),
          privateKey: privatePem,
        },
        authority: loop.authority,
        knownAuthorities: loop.knownAuthorities,
        authorityMetadata: loop.authorityMetadata,
      },
      system: { networkClient: loop.networkClient },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [s.scope] });
    expect(result?.accessToken.split(".")).toHaveLength(3);

    const wrong = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const impostor = new ConfidentialClientApplication({
      auth: {
        clientId: "5e7a1c7e-0000-4000-8000-0000000000c1",
        clientCertificate: { thumbprintSha256: "ab".repeat(32), privateKey: wrong },
        authority: loop.authority,
        knownAuthorities: loop.knownAuthorities,
        authorityMetadata: loop.authorityMetadata,
      },
      system: { networkClient: loop.networkClient },
    });
    await expect(impostor.acquireTokenByClientCredential({ scopes: [s.scope] })).rejects.toMatchObject({
      errorCode: "invalid_client",
    });
  });
});
