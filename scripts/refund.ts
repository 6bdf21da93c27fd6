// `npm run refund -- --purchase <id> [--amount 15.00 | --attendee <email>] --reason "…"`: returns
// money of a finalized purchase on request, through the provider that took the payment. Shows the
// plan, asks on a terminal unless --yes, records the refund in the store and asks the provider with
// the refund's own key (so a second run refunds once). Never touches the registration.
import { userInfo, hostname } from "node:os";
import { createInterface } from "node:readline/promises";
import { parseDecimalAmount, describeMoney } from "../confirmation-endpoint/providers/money";
import { paymentsTableJob } from "../confirmation-endpoint/lifecycle/jobs";
import {
  executeRequestedRefund,
  planRequestedRefund,
  type RefundOutcome,
  type RefundPlan,
} from "../confirmation-endpoint/refunds/request-refund";
import { checkGuid, parseCommandLine, runCommand, UsageError } from "./lib/cli";
import { endpointConfig, openEndpointParts } from "./lib/endpoint-parts";

const USAGE = `Usage: npm run refund -- --purchase <id> [--amount 15.00 | --attendee <email>] --reason "…"
                      [--yes] [--dry-run] [--json] [--env-file <file>] [--store <url>]

Returns money of a finalized purchase, through the provider that took its payment.

  --purchase <id>     the purchase (msevtmgt_eventpurchase id)
  --amount <decimal>  how much, in the payment's currency (default: all that is not yet refunded)
  --attendee <email>  the amount of that attendee's passes, as Dataverse has them
  --reason "<text>"   why (kept with the refund; required)
  --yes               do not ask for confirmation (needed when not on a terminal)
  --dry-run           show what would happen; change nothing
  --json              print the result as JSON
  --env-file <file>   read the endpoint's variables from <file> first (its values win)
  --help              show this text
  --store <url>       the store (default: STORE_URL)

Never more than was paid minus what is already refunded. Running the same request twice (same
purchase, amount and reason) refunds once. The registration stays as it is: whether the attendee
keeps their place is the organizer's decision, made in Dynamics 365.`;

const NOT_TOUCHED =
  "The registration is not touched: whether it stays is the organizer's decision (cancel it in Dynamics 365 if it should go).";

function readRequest(values: Record<string, string | boolean | undefined>) {
  const problems: string[] = [];
  const purchaseId = (values.purchase as string | undefined)?.toLowerCase();
  checkGuid("--purchase", purchaseId, problems, "--purchase <id> is required.");
  const note = (values.reason as string | undefined)?.trim();
  if (!note) problems.push('--reason "<text>" is required: say why the money goes back.');
  if (values.amount !== undefined && values.attendee !== undefined)
    problems.push("Give --amount or --attendee, not both.");
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return { purchaseId: purchaseId!, note: note!, amount: values.amount as string | undefined };
}

function describePlan(plan: RefundPlan): string {
  const left = { minor: plan.paid.minor - plan.refundedMinor, currency: plan.paid.currency };
  return [
    `Purchase   ${plan.purchase.purchaseId} (${plan.purchase.eventName ?? plan.purchase.readableEventId}), ${plan.purchase.state}`,
    `Payment    ${plan.providerPaymentId} at ${plan.provider}: ${describeMoney(plan.paid)} paid, ${describeMoney({ minor: plan.refundedMinor, currency: plan.paid.currency })} refunded, ${describeMoney(left)} left`,
    `Refund     ${describeMoney(plan.amount)}${plan.attendee ? ` (${plan.attendee.email}: ${plan.attendee.passes} pass(es))` : ""}`,
    `Reason     ${plan.note}`,
    NOT_TOUCHED,
  ].join("\n");
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function planJson(plan: RefundPlan) {
  return {
    purchaseId: plan.purchase.purchaseId,
    provider: plan.provider,
    paymentId: plan.providerPaymentId,
    paid: plan.paid,
    refundedMinor: plan.refundedMinor,
    amount: plan.amount,
    refundKey: plan.refundKey,
    reason: plan.note,
    attendee: plan.attendee,
    registration: "not touched",
  };
}

function printOutcome(plan: RefundPlan, outcome: RefundOutcome, json: boolean): void {
  const r = outcome.refund;
  if (json) {
    const refund = { refundKey: r.refundKey, state: r.state, providerRefundId: r.providerRefundId };
    process.stdout.write(
      `${JSON.stringify({ ...planJson(plan), outcome: outcome.kind, refund }, null, 2)}\n`,
    );
    return;
  }
  const head =
    outcome.kind === "repeated"
      ? `This refund was already requested (${r.state}); nothing was sent again.${r.state === "failed" ? ` It failed: ${r.lastError ?? "the provider refused it"}. To try again, give a different --reason (a new request).` : ""}`
      : `Refund ${r.state} at ${plan.provider}: ${describeMoney(plan.amount)}${r.providerRefundId ? ` (${r.providerRefundId})` : ""}.`;
  process.stdout.write(`${head}\n${NOT_TOUCHED}\n`);
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      purchase: { type: "string" },
      amount: { type: "string" },
      attendee: { type: "string" },
      reason: { type: "string" },
      yes: { type: "boolean" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      store: { type: "string" },
    },
    USAGE,
  );
  if (!parsed) return;
  const v = parsed.values;
  const request = readRequest(v);
  const parts = openEndpointParts(endpointConfig(process.env, v.store));
  try {
    const currency = (await parts.store.getPurchase(request.purchaseId))?.currency ?? "EUR";
    const plan = await planRequestedRefund(parts, {
      purchaseId: request.purchaseId,
      ...(request.amount !== undefined ? { amountMinor: readAmount(request.amount, currency) } : {}),
      ...(v.attendee !== undefined ? { attendeeEmail: v.attendee } : {}),
      note: request.note,
      requestedBy: `${userInfo().username}@${hostname()}`,
    });
    if (v["dry-run"]) {
      if (v.json) process.stdout.write(`${JSON.stringify({ ...planJson(plan), dryRun: true }, null, 2)}\n`);
      else process.stdout.write(`${describePlan(plan)}\nDry run: nothing was refunded or recorded.\n`);
      return;
    }
    if (!v.yes) {
      if (!process.stdin.isTTY)
        throw new UsageError("Not on a terminal, so the refund cannot be confirmed: pass --yes.");
      process.stderr.write(`${describePlan(plan)}\n`);
      if (!(await confirm(`Refund ${describeMoney(plan.amount)}? [y/N] `))) {
        process.stderr.write("Nothing was refunded.\n");
        return;
      }
    }
    // With the payments table on, the refund's store writes also queue the row's upsert.
    const followTable = parts.config.paymentsTable?.enabled
      ? { jobsAfter: (purchaseId: string) => [paymentsTableJob(purchaseId, parts.clock.now())] }
      : {};
    const outcome = await executeRequestedRefund({ ...parts, ...followTable }, plan);
    printOutcome(plan, outcome, v.json === true);
  } finally {
    await parts.close();
  }
}

function readAmount(text: string, currency: string): number {
  try {
    return parseDecimalAmount(text, currency).minor;
  } catch (error) {
    throw new UsageError(`--amount: ${(error as Error).message}`);
  }
}

void runCommand(main);
