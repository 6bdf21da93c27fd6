// Who is asking, for the per-client limits: the TCP peer the Node host saw (it overwrites any
// header of that name a client sent), or, behind a proxy that says so (CLIENT_IP_HEADER, e.g.
// x-forwarded-for on App Service), the last address that proxy appended — the one a client cannot
// forge, since the proxy adds it after whatever the client sent.

export const PEER_HEADER = "x-epg-peer-address";

export function clientKey(request: Request, clientIpHeader: string | null): string {
  if (clientIpHeader) {
    const chain = request.headers.get(clientIpHeader);
    const last = chain?.split(",").at(-1)?.trim();
    if (last) return last.slice(0, 64);
  }
  return request.headers.get(PEER_HEADER)?.slice(0, 64) ?? "unknown";
}
