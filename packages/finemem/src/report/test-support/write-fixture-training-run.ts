// A small hand-built training run for the training report's tests: three updates whose reward means
// are distinct, awkward doubles (so a rounded or misplaced value shows), r_content off everywhere,
// r_chunk missing at one update, evaluations at updates 0, 2 and 3 and two baselines.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunManifest } from "@finemem/spec";
import { encodeJsonlLine } from "@finemem/utils";
import { type BaselineLine, type EvaluationLine, TRAIN_FILES, type UpdateLine } from "../../train/train-files.js";
import type { TrainingRunDirectory } from "../read-training-run.js";

export interface FixtureTrainingRunOptions {
  readonly runId?: string;
}

export function fixtureTrainingRun(dir: string, options: FixtureTrainingRunOptions = {}): TrainingRunDirectory {
  const runId = options.runId ?? "train-fixture-1";
  const manifest: RunManifest = {
    runId,
    specificationVersion: "v1",
    createdAt: "2026-01-02T03:04:05.000Z",
    seed: "fixture-seed",
    models: { manager: "learned", reasoner: "extractive:bm25-okapi:top20" },
    promptHashes: { "flat-v1": "sha256:0123abcd" },
    datasets: [{ repo: "synthetic", revision: "generator-v2", file: '{"seed":"heldout"}', sha256: null }],
    config: { policy: { kind: "learned" }, run: { seed: "fixture-seed" } },
  };
  const updates: UpdateLine[] = [1, 2, 3].map((update) => ({
    update,
    instances: [`synthetic-fixture-${update}-0`, `synthetic-fixture-${update}-1`],
    rollouts: 4,
    samples: 40,
    meanReward: 1.1 + update / 7,
    loss: update === 2 ? null : -0.01 / update,
    klDivergence: null,
    metrics: { entropy: 1.3 + update / 30, gradNorm: 0.1 * update + 1e-17, pgClipFraction: update / 256 },
    rewards: {
      total: 1.1 + update / 7,
      format: 1,
      chunk: update === 2 ? null : 0.4 + update / 9,
      evidence: 0.1 / 3 + update / 1000,
      eara: 0.02 * update + 1e-12,
      compression: 0.9 - update / 11,
      content: null,
    },
    wallSeconds: 0.5,
    rolloutsPerSecond: 12.5,
  }));
  const evaluation = (update: number, score: number): EvaluationLine => ({
    update,
    policyId: "learned",
    score,
    dataSources: { synthetic: score, squad: score / 2 },
    memoryTokens: 900 + update,
    episodes: 4,
    questions: 40,
  });
  const evaluations = [evaluation(0, 0.3), evaluation(2, 0.2765625), evaluation(3, 0.32187499999999997)];
  const baseline = (name: string, score: number): BaselineLine => ({
    name,
    policyId: name,
    score,
    dataSources: { synthetic: score, squad: score },
    memoryTokens: 757.125,
    episodes: 4,
    questions: 40,
  });
  const baselines = [baseline("heuristic", 0.93125), baseline("insert-every-fact", 0.25)];
  return { dir, manifest, updates, evaluations, baselines };
}

/** Writes the fixture's manifest and three line files under `dir` (created if needed) and returns them. */
export function writeFixtureTrainingRun(dir: string, options: FixtureTrainingRunOptions = {}): TrainingRunDirectory {
  const run = fixtureTrainingRun(dir, options);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, TRAIN_FILES.manifest), `${JSON.stringify(run.manifest, null, 2)}\n`);
  writeFileSync(join(dir, TRAIN_FILES.updates), run.updates.map(encodeJsonlLine).join(""));
  writeFileSync(join(dir, TRAIN_FILES.evaluations), run.evaluations.map(encodeJsonlLine).join(""));
  writeFileSync(join(dir, TRAIN_FILES.baselines), run.baselines.map(encodeJsonlLine).join(""));
  return run;
}

/**
 * The points of every series of the line chart `id`, read from the markup: series name → [x, value]
 * pairs in drawing order, from each dot's `data-x` and `data-value` (`exactPoints` charts only).
 */
export function chartPoints(html: string, id: string): Map<string, [number, number][]> {
  const start = html.indexOf(`<svg class="chart" id="${id}"`);
  if (start < 0) throw new Error(`no chart ${id}`);
  const svg = html.slice(start, html.indexOf("</svg>", start));
  const series = new Map<string, [number, number][]>();
  for (const group of svg.matchAll(/<g class="series" data-series="([^"]*)"[^>]*>(.*?)<\/g>/g)) {
    const points = [...group[2]!.matchAll(/<circle [^>]*data-x="([^"]*)" data-value="([^"]*)"/g)].map(
      (match): [number, number] => [Number(match[1]), Number(match[2])],
    );
    series.set(unescapeHtml(group[1]!), points);
  }
  return series;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
