// Serves the PayPal stand-in on 127.0.0.1 through the endpoint's Node adapter. Port 0 picks a
// free one; `url` is what PAYPAL_API_BASE and PAYPAL_CERT_ORIGINS are set to.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeListener } from "../../confirmation-endpoint/http/node-adapter";
import { createPayPalStandIn } from "./create-paypal-stand-in";
import type { PayPalStandIn, PayPalStandInOptions } from "./create-paypal-stand-in";

export interface RunningPayPalStandIn extends PayPalStandIn {
  url: string;
  stop(): Promise<void>;
}

export async function startPayPalStandIn(
  options: PayPalStandInOptions & { port?: number; onError?: (error: unknown) => void },
): Promise<RunningPayPalStandIn> {
  const standIn = createPayPalStandIn(options);
  const server = createServer(createNodeListener(standIn.handler, options.onError ?? (() => undefined)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.setOrigin(url);
  return {
    ...standIn,
    url,
    async stop() {
      standIn.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
