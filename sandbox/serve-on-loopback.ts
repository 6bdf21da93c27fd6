// Opens a port on loopback for one of the sandbox's fetch-style handlers, through the endpoint's
// one Request → Response adapter. The stand-ins take fake credentials and fake payments, so they
// listen on 127.0.0.1 only.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FetchHandler } from "../confirmation-endpoint/app";
import { createNodeListener } from "../confirmation-endpoint/http/node-adapter";

export interface LoopbackServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Stops listening and cuts the open connections. */
  close(): Promise<void>;
}

export interface LoopbackOptions {
  host?: "127.0.0.1";
  /** 0 (default) picks a free port. */
  port?: number;
  /** A handler that threw (the adapter answers 500). */
  onError: (error: unknown) => void;
}

/** Rejects with the listen error (port in use …) as Node reports it. */
export async function serveOnLoopback(
  handler: FetchHandler,
  options: LoopbackOptions,
): Promise<LoopbackServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer(createNodeListener(handler, options.onError));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
