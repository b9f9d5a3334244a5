import type { BenchmarkInstance } from "@finemem/spec";
import type { RecordedQuestion, RecordedStep } from "../episode/episode-checkpoint.js";

/** How an episode was started: what the server needs to run it again from its journal in any process. */
export interface EpisodeSettings {
  readonly prompt: "flat" | "memalpha";
  readonly callStyle: "tools" | "text";
  readonly rollout: number;
  /** Seeds the global-question subsample. */
  readonly seed: string;
}

export interface EpisodeRecord {
  readonly episodeId: string;
  readonly instance: BenchmarkInstance;
  readonly settings: EpisodeSettings;
  /** Where it was forked from, when it was. */
  readonly forkedFrom: string | null;
}

/** A step request's idempotency key, the hash of its body and the step it applied. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly step: number;
}

/**
 * Where episodes live: their instance and settings, their journal (finished steps and scored
 * questions, as runEpisode's checkpoint records them) and the idempotency keys of their step
 * requests. A server process keeps nothing else, so any process that shares the repository can serve
 * any request: in memory for one process, PostgreSQL for several behind a load balancer.
 */
export interface EpisodeRepository {
  create(record: EpisodeRecord, steps?: readonly RecordedStep[]): Promise<void>;
  /** `undefined` for an unknown (or closed) episode. */
  get(episodeId: string): Promise<EpisodeRecord | undefined>;
  steps(episodeId: string): Promise<RecordedStep[]>;
  questions(episodeId: string): Promise<RecordedQuestion[]>;
  /** Records a finished step and, atomically with it, the key of the request that applied it. */
  recordStep(episodeId: string, step: RecordedStep, idempotency?: IdempotencyRecord): Promise<void>;
  recordQuestion(episodeId: string, question: RecordedQuestion): Promise<void>;
  idempotency(episodeId: string, key: string): Promise<IdempotencyRecord | undefined>;
  delete(episodeId: string): Promise<boolean>;
  /** Runs `work` while no other holder (in this process, or another sharing the repository) works on the episode. */
  withEpisodeLock<T>(episodeId: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Episodes in this process's memory: one server process, nothing survives a restart. */
export function createInMemoryEpisodeRepository(): EpisodeRepository {
  interface Entry {
    readonly record: EpisodeRecord;
    readonly steps: Map<number, RecordedStep>;
    readonly questions: Map<string, RecordedQuestion>;
    readonly keys: Map<string, IdempotencyRecord>;
  }
  const episodes = new Map<string, Entry>();
  const locks = new Map<string, Promise<unknown>>();
  // Journal entries are copied in and out as JSON, as a database would: no caller shares an object with the repository.
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const entry = (episodeId: string): Entry | undefined => episodes.get(episodeId);
  return {
    async create(record, steps = []) {
      episodes.set(record.episodeId, {
        record: copy(record),
        steps: new Map(steps.map((step) => [step.step, copy(step)])),
        questions: new Map(),
        keys: new Map(),
      });
    },
    async get(episodeId) {
      const found = entry(episodeId);
      return found === undefined ? undefined : copy(found.record);
    },
    async steps(episodeId) {
      return [...(entry(episodeId)?.steps.values() ?? [])].sort((a, b) => a.step - b.step).map(copy);
    },
    async questions(episodeId) {
      return [...(entry(episodeId)?.questions.values() ?? [])].map(copy);
    },
    async recordStep(episodeId, step, idempotency) {
      const found = entry(episodeId);
      if (found === undefined) return;
      found.steps.set(step.step, copy(step));
      if (idempotency !== undefined) found.keys.set(idempotency.key, { ...idempotency });
    },
    async recordQuestion(episodeId, question) {
      entry(episodeId)?.questions.set(question.questionId, copy(question));
    },
    async idempotency(episodeId, key) {
      const found = entry(episodeId)?.keys.get(key);
      return found === undefined ? undefined : { ...found };
    },
    async delete(episodeId) {
      return episodes.delete(episodeId);
    },
    async withEpisodeLock(episodeId, work) {
      const before = locks.get(episodeId) ?? Promise.resolve();
      const run = before.then(work, work);
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      locks.set(episodeId, settled);
      try {
        return await run;
      } finally {
        if (locks.get(episodeId) === settled) locks.delete(episodeId);
      }
    },
    async close() {
      episodes.clear();
    },
  };
}
