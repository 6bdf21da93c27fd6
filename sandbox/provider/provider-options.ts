// What the payment provider stand-in can be started with, and the check that reports every wrong
// option at once before anything listens.
import { KitError } from "../../common/kit-error";
import type { ProviderLog } from "./provider-log";
import type { WebhookRetryOptions } from "./webhook-dispatcher";

export class ProviderStandInError extends KitError {
  override readonly name = "ProviderStandInError";
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.code = code;
  }
}

export interface ProviderStandInOptions {
  /** Loopback only: the stand-in takes fake payments and must not be reachable from the network. */
  host?: "127.0.0.1";
  /** Default 0: the system picks a free port. */
  port?: number;
  /** SQLite file so a restart keeps the state; default in memory. */
  dbPath?: string;
  /** Where events are POSTed; null or absent = stored only, until `setWebhookUrl`. */
  webhookUrl?: string | null;
  /** The whsec_… secret webhooks are signed with (the endpoint verifies with the same one). */
  webhookSecret: string;
  /** Accept only this sk_test_… key; default any sk_test_… key. */
  apiKey?: string;
  /** Base clock, epoch ms (default Date.now). `advance` adds to it. */
  now?: () => number;
  /**
   * How `advance` (and the dashboard's clock button) moves time when the clock is shared with other
   * parts, e.g. the sandbox's one clock; default: the stand-in adds to its own offset over `now`.
   */
  advanceClock?: (ms: number) => void;
  log?: ProviderLog;
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Event types sent to the webhook URL ("*" or a trailing-* prefix allowed); default all. Others are only stored. */
  enabledEvents?: string[];
  /** Clock seconds before a refund set to "pending" or "failed" settles; default 5. */
  refundSettleSeconds?: number;
  /** How often the stand-in checks for expired sessions and due refunds in real time; 0 turns it off. Default 1000. */
  sweepIntervalMs?: number;
  apiVersion?: string;
}

export function validateProviderOptions(options: ProviderStandInOptions): string[] {
  const problems: string[] = [];
  if (
    typeof options.webhookSecret !== "string" ||
    !options.webhookSecret.startsWith("whsec_") ||
    options.webhookSecret.length < 16
  ) {
    problems.push(
      "webhookSecret must be a whsec_… string of at least 16 characters (the secret the endpoint verifies with).",
    );
  }
  if (options.apiKey !== undefined && !options.apiKey.startsWith("sk_test_")) {
    problems.push("apiKey must start with sk_test_: the stand-in is test mode only.");
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    problems.push(`port must be an integer from 0 to 65535, got ${String(options.port)}.`);
  }
  if (options.webhookUrl !== undefined && options.webhookUrl !== null) {
    try {
      new URL(options.webhookUrl);
    } catch {
      problems.push(`webhookUrl is not an absolute URL: ${options.webhookUrl}.`);
    }
  }
  const retry = options.webhookRetry ?? {};
  if (
    retry.maxAttempts !== undefined &&
    (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1 || retry.maxAttempts > 50)
  ) {
    problems.push("webhookRetry.maxAttempts must be a whole number from 1 to 50.");
  }
  if (retry.concurrency !== undefined && (!Number.isInteger(retry.concurrency) || retry.concurrency < 1)) {
    problems.push("webhookRetry.concurrency must be a whole number of at least 1.");
  }
  return problems;
}
