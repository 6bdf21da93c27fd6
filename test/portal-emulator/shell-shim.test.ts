import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { shellShimSource } from "../../portal-emulator/shell-shim";

interface Shell {
  getTokenDeferred(): { done(fn: (token: string) => void): unknown } & Promise<string>;
  ajaxSafePost(options: Record<string, unknown>): {
    done(fn: (data: unknown) => void): unknown;
    fail(fn: (xhr: { status: number }) => void): unknown;
  } & Promise<unknown>;
}

function loadShim(answer: (url: string, init?: RequestInit) => Response) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const window: { shell?: Shell } = {};
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, ...(init ? { init } : {}) });
    return answer(url, init);
  };
  runInNewContext(shellShimSource, { window, fetch, Object, JSON, Error, encodeURIComponent, String });
  return { shell: window.shell as Shell, calls };
}

const tokenPage = () =>
  new Response('<input name="__RequestVerificationToken" type="hidden" value="tok-123" />');

describe("shell shim", () => {
  it("getTokenDeferred reads the token from /_layout/tokenhtml, with done() like jQuery", async () => {
    const { shell, calls } = loadShim(tokenPage);
    const seen = await new Promise<string>((resolve) => shell.getTokenDeferred().done(resolve));
    expect(seen).toBe("tok-123");
    expect(calls[0]?.url).toBe("/_layout/tokenhtml");
  });

  it("ajaxSafePost sends the token header and form-encoded data, and reports failures through fail()", async () => {
    const { shell, calls } = loadShim((url) =>
      url === "/_layout/tokenhtml"
        ? tokenPage()
        : url.endsWith("/bad")
          ? new Response("{}", { status: 500 })
          : new Response('{"ok":true}'),
    );
    const data = await new Promise((resolve) =>
      shell
        .ajaxSafePost({
          type: "POST",
          url: "/_api/cloudflow/v1.0/trigger/f1",
          data: { eventData: '{"a":1}' },
        })
        .done(resolve),
    );
    expect(data).toEqual({ ok: true });
    const post = calls.find((c) => c.url.startsWith("/_api/"));
    expect((post?.init?.headers as Record<string, string>)["__RequestVerificationToken"]).toBe("tok-123");
    expect(post?.init?.body).toBe("eventData=%7B%22a%22%3A1%7D");
    const status = await new Promise<number>((resolve) =>
      shell.ajaxSafePost({ url: "/_api/bad", data: {} }).fail((xhr) => resolve(xhr.status)),
    );
    expect(status).toBe(500);
  });
});
