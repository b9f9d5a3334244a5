import { ModelConfigError, SpendingCapError } from "./errors.js";

/** What one role (e.g. "manager", "reasoner") has consumed. */
export interface RoleUsage {
  /** Calls that returned a response. */
  readonly calls: number;
  /** Calls that sent at least one request and then failed (HTTP error, timeout, network, malformed body, abort). */
  readonly failedCalls: number;
  /** HTTP requests sent, retries included. */
  readonly attempts: number;
  /** Attempts after the first of their call. */
  readonly retries: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Cost in US dollars, from the models' pricing (0 for a model without pricing). */
  readonly costUsd: number;
  /** Successful calls whose response carried no `usage`: their tokens are counted as 0, so the totals are a lower bound. */
  readonly callsWithoutUsage: number;
}

export interface UsageSnapshot {
  readonly roles: Readonly<Record<string, RoleUsage>>;
  readonly total: RoleUsage;
  readonly spendingCapUsd?: number;
  readonly tokenCap?: number;
}

/** Tokens and cost of one response, as the model computed them. */
export interface SpentUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costUsd: number;
  /** False when the response had no `usage`, so the zeros above are not real counts. */
  readonly usageReported: boolean;
}

/**
 * Per-role accounting shared by several models (one ledger, many roles), with optional caps.
 *
 * Caps are checked only when a call starts ({@link UsageLedger.assertCanStart}): calls already in flight
 * when a cap is crossed complete and are recorded, so totals may overshoot a cap by what those calls
 * spend. Refusing a response already paid for would waste the money and lose the tokens.
 */
export interface UsageLedger {
  readonly spendingCapUsd: number | undefined;
  readonly tokenCap: number | undefined;
  /** Throws {@link SpendingCapError} once total cost ≥ spendingCapUsd or total tokens ≥ tokenCap. */
  assertCanStart(role: string): void;
  /** A request is about to be sent. `retry` is true for every attempt after the first of its call. */
  recordAttempt(role: string, retry: boolean): void;
  recordSuccess(role: string, usage: SpentUsage): void;
  /** A call failed after sending at least one request. `usage` is what a response reported though it could not be used (tokens were spent). */
  recordFailure(role: string, usage?: SpentUsage): void;
  snapshot(): UsageSnapshot;
}

export interface UsageLedgerOptions {
  /** Refuse new calls once the total cost reaches this many US dollars. */
  readonly spendingCapUsd?: number;
  /** Refuse new calls once total prompt + completion tokens reach this. */
  readonly tokenCap?: number;
}

interface MutableUsage {
  calls: number;
  failedCalls: number;
  attempts: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  callsWithoutUsage: number;
}

const emptyUsage = (): MutableUsage => ({
  calls: 0,
  failedCalls: 0,
  attempts: 0,
  retries: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  callsWithoutUsage: 0,
});

export function createUsageLedger(options: UsageLedgerOptions = {}): UsageLedger {
  if (typeof options !== "object" || options === null)
    throw new ModelConfigError([], "ledger options must be an object");
  for (const key of Object.keys(options)) {
    if (key !== "spendingCapUsd" && key !== "tokenCap") {
      throw new ModelConfigError([key], `unknown ledger option "${key}"; expected spendingCapUsd or tokenCap`);
    }
  }
  const spendingCapUsd = checkCap(options.spendingCapUsd, "spendingCapUsd", "US dollars");
  const tokenCap = checkCap(options.tokenCap, "tokenCap", "tokens");

  const roles = new Map<string, MutableUsage>();
  const total = emptyUsage();
  const forRole = (role: string): MutableUsage => {
    let usage = roles.get(role);
    if (usage === undefined) {
      usage = emptyUsage();
      roles.set(role, usage);
    }
    return usage;
  };
  // Every record goes to the role and to the running total, so the cap check is O(1) per call. Plain
  // field updates: this runs on every call of every model sharing the ledger.
  const addCall = (usage: MutableUsage, reported: boolean): void => {
    usage.calls++;
    if (!reported) usage.callsWithoutUsage++;
  };
  const addSpent = (usage: MutableUsage, spent: SpentUsage | undefined): void => {
    if (spent === undefined) return;
    usage.promptTokens += spent.promptTokens;
    usage.completionTokens += spent.completionTokens;
    usage.costUsd += spent.costUsd;
  };
  return {
    spendingCapUsd,
    tokenCap,
    assertCanStart(role) {
      if (spendingCapUsd !== undefined && total.costUsd >= spendingCapUsd) {
        throw new SpendingCapError({ cap: "spendingCapUsd", limit: spendingCapUsd, spent: total.costUsd, role });
      }
      const tokens = total.promptTokens + total.completionTokens;
      if (tokenCap !== undefined && tokens >= tokenCap) {
        throw new SpendingCapError({ cap: "tokenCap", limit: tokenCap, spent: tokens, role });
      }
    },
    recordAttempt(role, retry) {
      const usage = forRole(role);
      usage.attempts++;
      total.attempts++;
      if (retry) {
        usage.retries++;
        total.retries++;
      }
    },
    recordSuccess(role, spent) {
      const usage = forRole(role);
      addCall(usage, spent.usageReported);
      addCall(total, spent.usageReported);
      addSpent(usage, spent);
      addSpent(total, spent);
    },
    recordFailure(role, spent) {
      const usage = forRole(role);
      usage.failedCalls++;
      total.failedCalls++;
      addSpent(usage, spent);
      addSpent(total, spent);
    },
    snapshot() {
      const byRole: Record<string, RoleUsage> = {};
      for (const [role, usage] of roles) byRole[role] = { ...usage };
      return {
        roles: byRole,
        total: { ...total },
        ...(spendingCapUsd === undefined ? {} : { spendingCapUsd }),
        ...(tokenCap === undefined ? {} : { tokenCap }),
      };
    },
  };
}

function checkCap(value: unknown, name: string, unit: string): number | undefined {
  if (value === undefined) return undefined;
  // Infinity is accepted and means "no cap", which is handy when the cap comes from configuration.
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new ModelConfigError([name], `${name} must be a number of ${unit} ≥ 0, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : `${typeof value} ${JSON.stringify(value)}`;
}
