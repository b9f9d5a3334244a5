// A small but complete run directory for the report's tests: valid StepRecords from a simulated
// memory (inserts, updates, deletes, skips and a rejected update), evidence chains whose φ weights
// point at the steps that wrote each item, N_t and r_EARA computed from those chains as docs/method.md §11–§12
// defines them, and a summary from benchmarks' aggregateScores, so every figure in the report can be
// checked against the other files. One question carries markup to check escaping.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { aggregateScores } from "@finemem/benchmarks";
import type {
  Competency,
  IdentifiedOperation,
  OperationResult,
  RunManifest,
  StepRecord,
  StepWeights,
} from "@finemem/spec";
import { createSeededRandom, encodeJsonlLine } from "@finemem/utils";
import {
  type EpisodeLine,
  type EvidenceChainItem,
  type QuestionResultLine,
  RUN_FILES,
  type RunSummary,
} from "../../run/run-files.js";
import type { RunDirectory } from "../read-run-directory.js";

export interface FixtureRunOptions {
  readonly runId?: string;
  readonly instancesPerSource?: number;
  readonly rollouts?: number;
  /** T, steps per episode. */
  readonly steps?: number;
  readonly questionsPerInstance?: number;
}

/** What was written: the same shape as reading it back. */
export type FixtureRun = RunDirectory;

/** The question that carries markup (instance `squad-0`, rollout 0); it scores 0, so it is among the worst. */
export const HOSTILE_QUESTION = `What did <script>window.__pwned = 1</script> say about "Ada" & 'Lyon'?`;
export const HOSTILE_GOLD = ["</td><b>gold</b>", "Lyon"] as const;
export const HOSTILE_ANSWER = `<img src="http://example.invalid/answer.png"> not sure`;
export const HOSTILE_ITEM = `<img src=http://example.invalid/item.png onerror="window.__pwned=2"> Ada moved to Lyon.`;

const SOURCES: readonly {
  readonly dataSource: string;
  readonly competency: Competency;
  readonly metric: string;
  readonly fractional: boolean;
}[] = [
  { dataSource: "squad", competency: "AR", metric: "memalpha:squad", fractional: false },
  { dataSource: "icl_trec_coarse_6600shot_balance", competency: "TTL", metric: "memalpha:icl", fractional: false },
  { dataSource: "booksum", competency: "LRU", metric: "memalpha:booksum", fractional: true },
  { dataSource: "synthetic", competency: "AR", metric: "memalpha:squad", fractional: false },
];

const BETA = 0.5;
const W_CHUNK = 0.5;
const W_COMP = 0.05;
const CHUNK_TOKENS = 500;
const POLICY = "llm:qwen3-4b";
const REASONER = "bm25-top20:qwen3-32b";

interface Item {
  content: string;
  /** Every step that wrote a version, oldest first. */
  writers: number[];
}

/** Writes the run's five files under `dir` (created if needed) and returns what it wrote. */
export function writeFixtureRun(dir: string, options: FixtureRunOptions = {}): FixtureRun {
  const runId = options.runId ?? "fixture-run-1";
  const instancesPerSource = options.instancesPerSource ?? 2;
  const rollouts = options.rollouts ?? 2;
  const stepCount = options.steps ?? 6;
  const questionCount = options.questionsPerInstance ?? 3;
  const random = createSeededRandom(`report-fixture:${runId}`);

  const manifest: RunManifest = {
    runId,
    specificationVersion: "v1",
    createdAt: "2026-01-02T03:04:05.000Z",
    seed: "42",
    models: { manager: "qwen3-4b", reasoner: "qwen3-32b", generator: "gpt-4o-mini", verifier: "qwen3-32b" },
    promptHashes: { manager: "a1b2c3d4e5f60718", reasoner: "0f1e2d3c4b5a6978" },
    datasets: [
      { repo: "YuWangX/Memalpha", revision: "unpinned:main", file: "test.parquet", sha256: "ab".repeat(32) },
      { repo: "synthetic", revision: "generator-v1", file: "synthetic", sha256: null },
    ],
    config: { beta: BETA, weights: { chunk: W_CHUNK, compression: W_COMP }, note: "<not markup>" },
  };

  const steps: StepRecord[] = [];
  const results: QuestionResultLine[] = [];
  const episodes: EpisodeLine[] = [];

  for (const source of SOURCES) {
    for (let instance = 0; instance < instancesPerSource; instance++) {
      const instanceId = `${source.dataSource === "icl_trec_coarse_6600shot_balance" ? "trec" : source.dataSource}-${instance}`;
      for (let rollout = 0; rollout < rollouts; rollout++) {
        const episodeRandom = random.fork(`${instanceId}#${rollout}`);
        const hostile = instanceId === "squad-0" && rollout === 0;
        const memory = new Map<string, Item>();
        let nextItem = 0;
        const episodeSteps: { record: Omit<StepRecord, "rewards">; format: number; chunk: number }[] = [];
        const mix = { INSERT: 0, UPDATE: 0, DELETE: 0, SKIP: 0, rejected: 0 };

        for (let step = 1; step <= stepCount; step++) {
          const operations: IdentifiedOperation[] = [];
          const outcomes: OperationResult[] = [];
          let operationNumber = 0;
          const emit = (
            operation: IdentifiedOperation["operation"],
            result: (operationId: string) => OperationResult,
          ): void => {
            const operationId = `${instanceId}.r${rollout}.s${step}.o${operationNumber++}`;
            operations.push({ operationId, operation });
            const outcome = result(operationId);
            outcomes.push(outcome);
            if (outcome.status === "rejected") mix.rejected++;
            else mix[operation.type]++;
          };
          const insert = (content: string): void => {
            const itemId = `m${nextItem++}`;
            memory.set(itemId, { content, writers: [step] });
            emit({ type: "INSERT", content }, (operationId) => ({
              operationId,
              status: "applied",
              itemId,
              version: 1,
            }));
          };
          const phase = step % 4;
          if (phase === 1) {
            insert(hostile && step === 1 ? HOSTILE_ITEM : `Fact ${step}a about ${instanceId}.`);
            insert(`Fact ${step}b about ${instanceId}, with some more words to count.`);
          } else if (phase === 2) {
            const [id, item] = [...memory.entries()][0]!;
            item.content = `${item.content} Revised at step ${step}.`;
            item.writers.push(step);
            emit({ type: "UPDATE", id, content: item.content }, (operationId) => ({
              operationId,
              status: "applied",
              itemId: id,
              version: item.writers.length,
            }));
            insert(`Fact ${step} about ${instanceId}.`);
          } else if (phase === 3) {
            const ids = [...memory.keys()];
            const victim = ids[ids.length - 1]!;
            memory.delete(victim);
            emit({ type: "DELETE", id: victim }, (operationId) => ({
              operationId,
              status: "applied",
              itemId: victim,
              version: 2,
            }));
            emit({ type: "UPDATE", id: "ghost", content: "never there" }, (operationId) => ({
              operationId,
              status: "rejected",
              reason: "unknown_id",
              message: "no item ghost",
            }));
            insert(`Fact ${step} about ${instanceId}.`);
          } else {
            emit({ type: "SKIP" }, (operationId) => ({ operationId, status: "applied", itemId: null, version: null }));
          }
          const applied = outcomes.filter((outcome) => outcome.status === "applied").length;
          const memoryTokens = [...memory.values()].reduce(
            (total, item) => total + item.content.split(/\s+/).length,
            0,
          );
          episodeSteps.push({
            record: {
              runId,
              instanceId,
              rollout,
              step,
              chunkId: `${instanceId}.c${step}`,
              operations,
              results: outcomes,
              parseOutcomes: operations.map((_, index) => ({
                fragment: index,
                status: "parsed" as const,
                operationIndex: index,
                repairs: [],
              })),
              actionLogprob: null,
              memoryTokens,
            },
            format: applied / operations.length,
            chunk: episodeRandom.int(6) / 5,
          });
        }

        // Global questions on M_T: two retrieved items each (the last question of some episodes retrieves nothing, to exercise U).
        const finalIds = [...memory.keys()];
        const questions: QuestionResultLine[] = [];
        for (let j = 0; j < questionCount; j++) {
          const score =
            hostile && j === 0 ? 0 : source.fractional ? episodeRandom.int(101) / 100 : episodeRandom.int(2);
          const noEvidence = j === questionCount - 1 && instance === 1;
          const picked = noEvidence
            ? []
            : hostile && j === 0
              ? ["m0", finalIds[1]!]
              : [finalIds[episodeRandom.int(finalIds.length)]!];
          if (!noEvidence && picked.length === 1) {
            const other = finalIds.find((id) => id !== picked[0]);
            if (other !== undefined) picked.push(other);
          }
          const evidence: EvidenceChainItem[] = picked.map((itemId, index) => {
            const item = memory.get(itemId)!;
            // Updated items split their credit over their version chain (the `shared` policy), so the report shows multi-step φ.
            const writers = [...new Set(item.writers)];
            const stepsOf: StepWeights = Object.fromEntries(writers.map((writer) => [writer, 1 / writers.length]));
            return {
              itemId,
              rank: index + 1,
              share: 1 / picked.length,
              content: item.content.slice(0, 400),
              steps: stepsOf,
            };
          });
          questions.push({
            instanceId,
            rollout,
            dataSource: source.dataSource,
            competency: source.competency,
            protocol: "memalpha",
            questionId: `q${j}`,
            question: hostile && j === 0 ? HOSTILE_QUESTION : `Question ${j} about ${instanceId}?`,
            gold: hostile && j === 0 ? [...HOSTILE_GOLD] : `answer ${j}`,
            answer: hostile && j === 0 ? HOSTILE_ANSWER : `model answer ${j} for rollout ${rollout}`,
            score,
            metric: source.metric,
            evidence,
          });
        }

        // EARA (docs/method.md §11): N_t = Σ_j Σ_{m ∈ M_j} share_m · φ_m(t) · s_j / n; r_EARA(t) = (1 − β)·r_global/T + β·N_t.
        const n = questions.length;
        const global = questions.reduce((total, question) => total + question.score, 0) / n;
        const contribution = new Map<number, number>();
        let unattributed = 0;
        for (const question of questions) {
          if (question.evidence.length === 0) unattributed += question.score / n;
          for (const item of question.evidence) {
            for (const [stepKey, weight] of Object.entries(item.steps)) {
              contribution.set(
                Number(stepKey),
                (contribution.get(Number(stepKey)) ?? 0) + (item.share * weight * question.score) / n,
              );
            }
          }
        }
        const finalTokens = episodeSteps[episodeSteps.length - 1]!.record.memoryTokens ?? 0;
        const chunkTokens = stepCount * CHUNK_TOKENS;
        const compression = 1 - finalTokens / chunkTokens;
        for (const { record, format, chunk } of episodeSteps) {
          const evidence = Math.min(1, contribution.get(record.step) ?? 0);
          const eara = ((1 - BETA) * global) / stepCount + BETA * evidence;
          steps.push({
            ...record,
            rewards: {
              format,
              chunk,
              evidence,
              eara,
              compression,
              content: null,
              total: eara + format + W_CHUNK * chunk + W_COMP * compression,
            },
          });
        }
        results.push(...questions);
        episodes.push({
          instanceId,
          rollout,
          dataSource: source.dataSource,
          competency: source.competency,
          protocol: "memalpha",
          policyId: POLICY,
          reasonerId: REASONER,
          steps: stepCount,
          global,
          unattributed,
          compression,
          questionsScored: n,
          chunkScore: episodeSteps.reduce((total, step) => total + step.chunk, 0) / stepCount,
          memoryTokens: finalTokens,
          chunkTokens,
          memoryItems: memory.size,
          operations: mix,
        });
      }
    }
  }

  const table = aggregateScores(
    results.map((result) => ({
      instanceId: `${result.instanceId}#r${result.rollout}`,
      dataSource: result.dataSource,
      competency: result.competency,
      questionId: result.questionId,
      score: result.score,
    })),
  );
  const memoryTokens: Record<string, number> = {};
  for (const source of SOURCES) {
    const own = episodes.filter((episode) => episode.dataSource === source.dataSource);
    memoryTokens[source.dataSource] = own.reduce((total, episode) => total + episode.memoryTokens, 0) / own.length;
  }
  const summary: RunSummary = {
    runId,
    policyId: POLICY,
    reasonerId: REASONER,
    table,
    metrics: Object.fromEntries(SOURCES.map((source) => [source.dataSource, source.metric])),
    memoryTokens,
    episodes: episodes.length,
    questions: results.length,
  };

  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, RUN_FILES.steps), steps.map((record) => encodeJsonlLine(record)).join(""));
  writeFileSync(join(dir, RUN_FILES.results), results.map((line) => encodeJsonlLine(line)).join(""));
  writeFileSync(join(dir, RUN_FILES.episodes), episodes.map((line) => encodeJsonlLine(line)).join(""));
  writeFileSync(join(dir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  return { dir, manifest, steps, results, episodes, summary };
}
