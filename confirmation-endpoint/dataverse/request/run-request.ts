// One Web API call with the client's transport retries, within the caller's deadline: a token
// refresh after a 401 (once), waits after throttling (Retry-After, on the throttled user only), and
// resends after trouble that cannot have run the request twice (nothing sent, 503, or any failure
// of a call the caller marked safe to repeat). Anything else is the caller's to settle.

import type { AxiosResponse } from "axios";
import type { DataverseResponse, HttpMethod, RequestOptions } from "../dataverse-client";
import { DataverseAuthError, DataverseError, DeadlineExceededError } from "../errors";
import type { DataverseLogger } from "../log";
import { computeBackoff } from "../retry-policy";
import type { BackoffOptions } from "../retry-policy";
import type { UserPool, UserSlot } from "../user-pool";
import { classifyAnswer, classifyThrown, nextStep } from "./classify-answer";
import type { Attempt } from "./classify-answer";
import { deadlineError, waitRetryAfter } from "./wait-retry-after";
import type { Sleep } from "./wait-retry-after";

export interface RequestCounters {
  requests: number;
  retries: number;
  throttles: number;
  unauthorized: number;
  deadlineExceeded: number;
  failures: number;
}

export interface RequestContext {
  pool: UserPool;
  send: (
    token: string,
    method: HttpMethod,
    path: string,
    call: RequestOptions,
  ) => Promise<AxiosResponse<string>>;
  counters: RequestCounters;
  log: DataverseLogger;
  now: () => number;
  sleep: Sleep;
  random: () => number;
  maxAttempts: number;
  maxThrottleRetries: number;
  backoff: BackoffOptions;
}

/** What one call has been through so far. */
interface CallState {
  operation: string;
  retryAmbiguous: boolean;
  transientAttempts: number;
  throttles: number;
  refreshed: boolean;
  staleToken: string | undefined;
  lastError: unknown;
}

export async function runRequest<T>(
  ctx: RequestContext,
  method: HttpMethod,
  path: string,
  call: RequestOptions,
): Promise<DataverseResponse<T>> {
  const state: CallState = {
    operation: `${method} ${path.split("?")[0] ?? path}`,
    // GET, PATCH (an upsert), PUT and DELETE may be repeated; a POST (an action) may not.
    retryAmbiguous: call.retryAmbiguous ?? method !== "POST",
    transientAttempts: 0,
    throttles: 0,
    refreshed: false,
    staleToken: undefined,
    lastError: undefined,
  };
  try {
    for (;;) {
      call.signal?.throwIfAborted();
      if (call.deadline !== undefined && ctx.now() >= call.deadline) {
        throw deadlineError(state.operation, call.deadline, "no successful answer yet", state.lastError);
      }
      const user = await ctx.pool.acquire({
        deadline: call.deadline,
        signal: call.signal,
        operation: state.operation,
        lastError: state.lastError,
      });
      const attempt = await attemptOnce<T>(ctx, user, method, path, call, state);
      if (attempt.kind === "ok") return attempt.response;
      state.lastError = attempt.failure;
      await prepareRetry(ctx, attempt.failure, user, call, state);
    }
  } catch (error) {
    if (error instanceof DeadlineExceededError) ctx.counters.deadlineExceeded++;
    else if (error instanceof DataverseError || error instanceof DataverseAuthError) ctx.counters.failures++;
    throw error;
  }
}

async function attemptOnce<T>(
  ctx: RequestContext,
  user: UserSlot,
  method: HttpMethod,
  path: string,
  call: RequestOptions,
  state: CallState,
): Promise<Attempt<T>> {
  let token: string | undefined;
  let response: AxiosResponse<string>;
  try {
    const refresh =
      state.staleToken !== undefined ? { forceRefresh: true, staleToken: state.staleToken } : undefined;
    token = await user.tokens.getToken(refresh);
    state.staleToken = undefined;
    ctx.counters.requests++;
    response = await ctx.send(token, method, path, call);
  } catch (error) {
    return { kind: "failed", failure: classifyThrown(error, state.operation, call) };
  } finally {
    ctx.pool.release(user);
  }
  const answer = classifyAnswer<T>(response, {
    operation: state.operation,
    user: user.label,
    nowMs: ctx.now(),
  });
  const dop = Number(answer.headers["x-ms-dop-hint"]);
  if (Number.isFinite(dop) && dop > 0) ctx.pool.applyDopHint(user, dop);
  if (answer.kind === "failed" && answer.failure.status === 401) state.staleToken = token;
  return answer;
}

/** Returns when the loop may try again; throws the failure (or a deadline error) when it may not. */
async function prepareRetry(
  ctx: RequestContext,
  failure: DataverseError,
  user: UserSlot,
  call: RequestOptions,
  state: CallState,
): Promise<void> {
  const base = {
    operation: state.operation,
    user: user.label,
    code: failure.code,
    requestId: failure.requestId,
  };
  switch (nextStep(failure, state.retryAmbiguous)) {
    case "refresh_token":
      return refreshAfterUnauthorized(ctx, failure, state, base);
    case "wait_throttle":
      return await waitOutThrottle(ctx, failure, user, call, state, base);
    case "fail":
      ctx.log({
        level: failure.retryable ? "warn" : "info",
        event: "dataverse.failed",
        ...base,
        status: failure.status,
        ambiguous: failure.ambiguous,
      });
      throw failure;
    case "retry": {
      state.transientAttempts++;
      if (state.transientAttempts >= ctx.maxAttempts) throw failure;
      const delayMs =
        failure.retryAfterMs ?? computeBackoff(state.transientAttempts - 1, ctx.random, ctx.backoff);
      ctx.log({
        level: "warn",
        event: "dataverse.retry",
        ...base,
        status: failure.status,
        attempt: state.transientAttempts,
        delayMs,
      });
      await waitRetryAfter(delayMs, {
        operation: state.operation,
        call,
        cause: failure,
        now: ctx.now,
        sleep: ctx.sleep,
      });
      ctx.counters.retries++;
    }
  }
}

function refreshAfterUnauthorized(
  ctx: RequestContext,
  failure: DataverseError,
  state: CallState,
  base: Record<string, unknown>,
): void {
  ctx.counters.unauthorized++;
  if (!state.refreshed) {
    state.refreshed = true;
    ctx.log({ level: "warn", event: "dataverse.unauthorized.refresh", ...base });
    return;
  }
  throw new DataverseError({
    status: 401,
    code: failure.code,
    message: `${failure.message}. A fresh token was refused too: check that the app registration is an application user in this environment with the "Finalize RegistrationService" role.`,
    hint: 'make the app registration an application user with the "Finalize RegistrationService" role',
    retryable: false,
    requestId: failure.requestId,
    operation: state.operation,
  });
}

/**
 * Keeps the throttled user away for Retry-After (the pool waits) here and, with shared holds, in
 * the other instances (written before anything else happens); gives up when that ends past the deadline.
 */
async function waitOutThrottle(
  ctx: RequestContext,
  failure: DataverseError,
  user: UserSlot,
  call: RequestOptions,
  state: CallState,
  base: Record<string, unknown>,
): Promise<void> {
  state.throttles++;
  ctx.counters.throttles++;
  const waitMs = failure.retryAfterMs ?? computeBackoff(state.throttles - 1, ctx.random, ctx.backoff);
  const until = ctx.now() + waitMs;
  // The hold is Dataverse's, whatever this call does next: every call (and instance) respects it.
  ctx.pool.block(user, until);
  await ctx.pool.share(user, until);
  if (state.throttles > ctx.maxThrottleRetries) throw failure;
  if (call.deadline !== undefined && until > call.deadline) {
    const reason = `Dataverse throttled (${failure.code}) for ${waitMs} ms`;
    throw deadlineError(state.operation, call.deadline, reason, failure);
  }
  ctx.counters.retries++;
  ctx.log({ level: "warn", event: "dataverse.throttled", ...base, retryAfterMs: waitMs });
}
