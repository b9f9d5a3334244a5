import { SPECIFICATION_VERSION } from "../call-options.js";
import { isFineMemError } from "../errors.js";
import { CORE_ITEM_ID, type MemoryItem, type MemoryLayout } from "../memory.js";
import type { MemoryPolicy, PolicyDecision, PolicyInput } from "../policy.js";
import { policyDecisionValidator, policyInputValidator } from "../policy.js";
import { ACTION_LOGPROB_TOLERANCE } from "../trainer.js";
import { canonicalJson, PolicyConformanceFailure, shown } from "./policy-conformance-failure.js";
import { createSuiteRandom, FUZZ_CHUNKS, generateInputs, generateView } from "./policy-conformance-inputs.js";

/** What the suite needs to know about the policy under test. */
export interface PolicyConformanceOptions {
  /** Names the policy in failure messages. */
  readonly name: string;
  /**
   * A new policy. Two calls with one seed must give policies that sample alike (a policy that does not
   * sample may ignore the seed).
   */
  createPolicy(seed: string): MemoryPolicy | Promise<MemoryPolicy>;
  /** Frees a policy the suite created (device memory, a model), after each check. */
  disposePolicy?(policy: MemoryPolicy): void | Promise<void>;
  /**
   * True when one policy always gives one input the same decision (no sampling, or sampling seeded by
   * the input), so asking it twice must agree. Default false: only two policies of one seed are compared.
   */
  readonly deterministic?: boolean;
  /**
   * Where every decision must carry an action log-probability, its source (a policy asked for
   * log-probabilities); unset, decisions may have none, and those that have one are checked.
   */
  readonly actionLogprobs?: "tokens" | "decisions";
  /** Generated inputs per check (default 12). */
  readonly inputs?: number;
  /** The largest generated view (default 12 items). */
  readonly maxViewItems?: number;
  /** The seed of the generated chunks and views (default `policy-conformance`). */
  readonly seed?: string;
}

/** One check of the suite. Run it with any test runner: `for (const c of cases) it(c.name, c.run)`. */
export interface PolicyConformanceCase {
  /** operations, fuzz, seeding, logprobs or abort. */
  readonly group: string;
  readonly name: string;
  run(): Promise<void>;
}

const POLICY_SEED = "policy-conformance-seed";

/**
 * The conformance suite every memory policy runs, ours or a third party's: valid operations that fit
 * the policy's layout and name only ids the view holds, on generated chunks and views; awkward chunks
 * (unicode, emoji, CJK, one long sentence, no or only punctuation, repeats, numbers, newlines, the
 * view restated) that must not throw; reproducible seeded sampling; action log-probabilities equal to
 * the sum of their parts, with a replay payload the policy accepts when training; and aborts that
 * reject with spec's `AbortedError`. Each check calls the policy a bounded number of times (about 30),
 * so a fast policy passes the whole suite in well under two seconds. Failures are
 * {@link PolicyConformanceFailure}s naming the policy and the check.
 */
export function memoryPolicyConformance(options: PolicyConformanceOptions): PolicyConformanceCase[] {
  const inputCount = options.inputs ?? 12;
  const maxViewItems = options.maxViewItems ?? 12;
  const seed = options.seed ?? "policy-conformance";
  const cases: PolicyConformanceCase[] = [];

  type Check = (
    fail: (message: string) => never,
    create: (policySeed: string) => Promise<MemoryPolicy>,
  ) => Promise<void>;
  const add = (group: string, name: string, body: Check) => {
    const check = `policy ${JSON.stringify(options.name)}, ${group}: ${name}`;
    const fail = (message: string): never => {
      throw new PolicyConformanceFailure(check, message);
    };
    cases.push({
      group,
      name,
      async run() {
        const created: MemoryPolicy[] = [];
        const create = async (policySeed: string) => {
          const policy = await options.createPolicy(policySeed);
          created.push(policy);
          return policy;
        };
        try {
          await body(fail, create);
        } catch (error) {
          if (error instanceof PolicyConformanceFailure) throw error;
          throw new PolicyConformanceFailure(check, `the policy threw: ${describeError(error)}`, { cause: error });
        } finally {
          for (const policy of created) await options.disposePolicy?.(policy);
        }
      },
    });
  };

  /** Generated inputs for the policy's layout, checked against spec's own validator first. */
  const inputsFor = (layout: MemoryLayout, label: string, training: (index: number) => boolean) =>
    generateInputs(`${seed}/${label}`, layout, inputCount, maxViewItems, training).map((input) =>
      policyInputValidator.parse(input),
    );

  /** Calls the policy, turning a throw into a failure that says which input it was. */
  const decide = async (
    policy: MemoryPolicy,
    input: PolicyInput,
    where: string,
    fail: (message: string) => never,
  ): Promise<PolicyDecision> => {
    try {
      return await policy.decide(input);
    } catch (error) {
      return fail(`${where}: the policy threw: ${describeError(error)}`);
    }
  };

  add("operations", "every decision is valid, fits the layout and names only ids of the view", async (fail, create) => {
    const policy = await create(POLICY_SEED);
    checkIdentity(policy, fail);
    const inputs = inputsFor(policy.layout, "operations", (index) => index % 2 === 1);
    for (const [index, input] of inputs.entries()) {
      const where = describeInput(input, index);
      checkDecision(policy.layout, input, await decide(policy, input, where, fail), where, fail);
    }
  });

  add("fuzz", "awkward chunks never throw and still give valid decisions", async (fail, create) => {
    const policy = await create(POLICY_SEED);
    const random = createSuiteRandom(`${seed}/fuzz`);
    for (const [index, fuzz] of FUZZ_CHUNKS.entries()) {
      // Each awkward chunk is read once with an empty memory and once with a drawn one.
      for (const size of [0, 1 + (index % maxViewItems)]) {
        const view = generateView(random, policy.layout, size, size + 1);
        const input = policyInputValidator.parse({
          step: size + 2,
          chunk: { id: `chunk-${size + 2}`, text: fuzz.text(view) },
          view,
          instanceId: "conformance-fuzz",
          ...(index % 2 === 0 ? {} : { training: true }),
        });
        const where = `the ${fuzz.label} chunk with a view of ${size} items`;
        checkDecision(policy.layout, input, await decide(policy, input, where, fail), where, fail);
      }
    }
  });

  add("seeding", "two policies created with one seed decide alike with training: true", async (fail, create) => {
    const first = await create(POLICY_SEED);
    const second = await create(POLICY_SEED);
    const inputs = inputsFor(first.layout, "seeding", () => true);
    const firstDecisions: PolicyDecision[] = [];
    for (const [index, input] of inputs.entries())
      firstDecisions.push(await decide(first, input, describeInput(input, index), fail));
    for (const [index, input] of inputs.entries()) {
      const where = describeInput(input, index);
      const decision = await decide(second, input, where, fail);
      if (canonicalJson(decision) !== canonicalJson(firstDecisions[index]))
        fail(
          `${where}: two policies created with seed ${JSON.stringify(POLICY_SEED)} decided differently (unseeded randomness?)\n  first:  ${shown(firstDecisions[index])}\n  second: ${shown(decision)}`,
        );
    }
  });

  if (options.deterministic === true) {
    add("seeding", "one deterministic policy asked the same inputs twice decides alike", async (fail, create) => {
      const policy = await create(POLICY_SEED);
      const inputs = inputsFor(policy.layout, "deterministic", () => true);
      const firstDecisions: PolicyDecision[] = [];
      for (const [index, input] of inputs.entries())
        firstDecisions.push(await decide(policy, input, describeInput(input, index), fail));
      for (const [index, input] of inputs.entries()) {
        const where = describeInput(input, index);
        const decision = await decide(policy, input, where, fail);
        if (canonicalJson(decision) !== canonicalJson(firstDecisions[index]))
          fail(
            `${where}: the policy answered the same input differently the second time\n  first:  ${shown(firstDecisions[index])}\n  second: ${shown(decision)}`,
          );
      }
    });
  }

  add(
    "logprobs",
    "action log-probabilities are the sum of their parts, and training decisions carry a replay the policy accepts",
    async (fail, create) => {
      const policy = await create(POLICY_SEED);
      const inputs = inputsFor(policy.layout, "logprobs", (index) => index % 3 !== 2);
      for (const [index, input] of inputs.entries()) {
        const where = describeInput(input, index);
        checkLogprobs(policy, input, await decide(policy, input, where, fail), where, options.actionLogprobs, fail);
      }
    },
  );

  add("abort", "an aborted signal rejects with spec's aborted error", async (fail, create) => {
    const policy = await create(POLICY_SEED);
    const [input] = inputsFor(policy.layout, "abort", () => false);
    const controller = new AbortController();
    controller.abort(new Error("stopped by the conformance suite"));
    let outcome: string;
    try {
      await policy.decide(input!, { signal: controller.signal });
      outcome = "the call resolved";
    } catch (error) {
      if (isFineMemError(error) && error.code === "aborted") return;
      outcome = `it threw ${describeError(error)}`;
    }
    fail(
      `expected a rejection with code "aborted" (AbortedError, see throwIfAborted in @finemem/spec), but ${outcome}`,
    );
  });

  return cases;
}

function checkIdentity(policy: MemoryPolicy, fail: (message: string) => never): void {
  if (policy.specificationVersion !== SPECIFICATION_VERSION)
    fail(`specificationVersion is ${shown(policy.specificationVersion)}, expected "${SPECIFICATION_VERSION}"`);
  if (typeof policy.policyId !== "string" || policy.policyId.length === 0)
    fail(`policyId must be a non-empty string, got ${shown(policy.policyId)}`);
  if (policy.layout !== "flat" && policy.layout !== "typed")
    fail(`layout must be "flat" or "typed", got ${shown(policy.layout)}`);
}

/**
 * The decision passes spec's validator, and every operation is one a store of the policy's layout
 * could apply to this view: memory types only in the typed layout (INSERT semantic or episodic, a
 * timestamp only on episodic, `core` only for the core paragraph), UPDATE and DELETE of ids the view
 * holds (the typed layout's UPDATE of `core` also creates it), and a memory type equal to the item's.
 */
function checkDecision(
  layout: MemoryLayout,
  input: PolicyInput,
  decision: PolicyDecision,
  where: string,
  fail: (message: string) => never,
): void {
  const validated = policyDecisionValidator.validate(decision);
  if (!validated.ok) fail(`${where}: the decision does not pass policyDecisionValidator: ${validated.error.message}`);
  const items = new Map<string, MemoryItem>(input.view.items.map((item) => [item.id, item]));
  decision.operations.forEach((operation, index) => {
    const at = `${where}: operations[${index}] ${shown(operation, 160)}`;
    if (operation.type === "SKIP") return;
    if (layout === "flat") {
      if (operation.memoryType !== undefined)
        fail(`${at} has memoryType ${operation.memoryType}, but the policy's layout is flat (no memory types)`);
      if (operation.type === "INSERT" && operation.timestamp !== undefined)
        fail(`${at} has a timestamp, but the policy's layout is flat (timestamps belong to typed episodic items)`);
    } else if (operation.type === "INSERT") {
      if (operation.memoryType !== "semantic" && operation.memoryType !== "episodic")
        fail(`${at}: an INSERT in the typed layout needs memoryType semantic or episodic`);
      if (operation.timestamp !== undefined && operation.memoryType !== "episodic")
        fail(`${at}: only episodic items carry a timestamp`);
    }
    if (operation.type === "INSERT") return;
    const isCore = layout === "typed" && operation.id === CORE_ITEM_ID;
    if (isCore && operation.memoryType !== undefined && operation.memoryType !== "core")
      fail(`${at}: the item "core" is the core paragraph, not ${operation.memoryType}`);
    if (!isCore && operation.memoryType === "core") fail(`${at}: only the item "core" has memoryType core`);
    const item = items.get(operation.id);
    if (item === undefined) {
      if (isCore && operation.type === "UPDATE") return;
      fail(`${at} names ${operation.id}, which the view does not hold (its ids: ${shown([...items.keys()], 200)})`);
    }
    if (operation.memoryType !== undefined && operation.memoryType !== item.memoryType)
      fail(`${at}: item ${operation.id} is ${item.memoryType}, not ${operation.memoryType}`);
  });
}

/**
 * An action log-probability is min(0, Σ) of its parts within spec's ACTION_LOGPROB_TOLERANCE (what
 * `trainingSampleValidator` will demand of the sample), with `count` parts; a training decision of a
 * policy with a replay validator carries a payload that validator accepts.
 */
function checkLogprobs(
  policy: MemoryPolicy,
  input: PolicyInput,
  decision: PolicyDecision,
  where: string,
  expected: "tokens" | "decisions" | undefined,
  fail: (message: string) => never,
): void {
  const training = input.training === true;
  const action = decision.actionLogprob;
  if (expected !== undefined && action?.source !== expected)
    fail(`${where}: expected an actionLogprob from ${expected}, got ${shown(action)}`);
  const sumOf = (parts: readonly number[] | undefined, field: string, source: "tokens" | "decisions") => {
    if (action === null || action.source !== source) {
      if (parts !== undefined)
        fail(`${where}: the decision has ${field} but its actionLogprob is ${shown(action)}, not from ${source}`);
      return;
    }
    if (parts === undefined) {
      // A decision policy's parts are the trainer's, returned when training; an LLM's always come along.
      if (source === "tokens" || (training && policy.replayValidator !== undefined))
        fail(`${where}: actionLogprob is from ${source}, but the decision has no ${field}`);
      return;
    }
    if (action.count !== parts.length)
      fail(`${where}: actionLogprob.count is ${action.count}, but ${field} has ${parts.length} entries`);
    const sum = Math.min(
      0,
      parts.reduce((total, value) => total + value, 0),
    );
    if (!(Math.abs(action.value - sum) <= ACTION_LOGPROB_TOLERANCE * Math.max(1, Math.abs(sum))))
      fail(
        `${where}: actionLogprob.value ${action.value} is not min(0, Σ ${field}) = ${sum} within ACTION_LOGPROB_TOLERANCE (${ACTION_LOGPROB_TOLERANCE} relative)`,
      );
  };
  sumOf(decision.decisionLogprobs, "decisionLogprobs", "decisions");
  sumOf(decision.responseLogprobs, "responseLogprobs", "tokens");
  if (!training) return;
  if (policy.replayValidator === undefined) {
    if (decision.replay !== undefined)
      fail(`${where}: the decision has a replay payload, but the policy has no replayValidator to check it`);
    return;
  }
  if (action?.source !== "decisions")
    fail(
      `${where}: a training decision of a policy with a replayValidator needs an actionLogprob from decisions, got ${shown(action)}`,
    );
  if (decision.replay === undefined)
    fail(`${where}: a training decision of a policy with a replayValidator needs a replay payload, and has none`);
  const replay = policy.replayValidator.validate(decision.replay);
  if (!replay.ok) fail(`${where}: the policy's replayValidator refuses its own replay: ${replay.error.message}`);
}

function describeInput(input: PolicyInput, index: number): string {
  return `input ${index + 1} (step ${input.step}, ${input.view.items.length} items, ${input.training === true ? "training" : "evaluation"})`;
}

function describeError(error: unknown): string {
  if (error instanceof Error)
    return `${error.name}${isFineMemError(error) ? ` (${error.code})` : ""}: ${error.message}`.slice(0, 600);
  return shown(error);
}
