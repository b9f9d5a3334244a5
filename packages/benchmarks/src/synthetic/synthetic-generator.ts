/**
 * The deterministic synthetic benchmark (Fine-Mem's offline default and the in-process trainer's
 * data): invented entities whose attributes are stated across chunks, some later changed and
 * restated in other words, distractors sharing subject words, global questions about the latest
 * values and K questions per chunk answerable from that chunk alone (so the chunk-level step reward
 * needs no generator model).
 *
 * Determinism: every random choice draws from `createSeededRandom(seed)` forked per instance and per
 * concern ("entities", "placement", "values", ...). A fork never shifts another's sequence, so one
 * knob changes only what it is about: `paraphraseShare` 0 and 1 give the same facts and values with
 * different templates; `questionsPerChunk` changes only the chunk questions.
 *
 * Protocol and competency: golds are single short values scored by containment, so the instance uses
 * the `memoryagentbench` protocol (normalised substring match, which data source `synthetic` falls
 * under as "the rest" in docs/method.md §17). Competency is `CR` (Conflict Resolution: the question wants
 * the latest of conflicting statements, as in MemoryAgentBench's FactConsolidation) whenever the
 * instance holds a changed fact, and `AR` (Accurate Retrieval) when nothing changes.
 */
import { createHash } from "node:crypto";
import {
  type BenchmarkInstance,
  type ChunkQuestion,
  FineMemError,
  type GlobalQuestion,
  type JsonValue,
} from "@finemem/spec";
import { createSeededRandom, type RandomSource } from "@finemem/utils";
import { type FactSchedule, planFactSchedule } from "./fact-schedule.js";
import {
  canonicalInstanceOptionsJson,
  resolveSyntheticOptions,
  SYNTHETIC_GENERATOR_VERSION,
  type SyntheticOptionsInput,
} from "./synthetic-options.js";
import {
  type AttributeDefinition,
  type AttributeId,
  attributesOf,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  type EntityType,
  PERSON_FIRST_NAMES,
  PERSON_LAST_NAMES,
  renderQuestion,
  renderTemplate,
} from "./vocabulary.js";

/** The `dataSource` of every synthetic instance (routes to MemoryAgentBench's substring match). */
export const SYNTHETIC_DATA_SOURCE = "synthetic";
/** `source.repo` of every synthetic instance. */
export const SYNTHETIC_REPO = "synthetic";
/** `source.revision`: the generator version. */
export const SYNTHETIC_REVISION = `generator-v${SYNTHETIC_GENERATOR_VERSION}`;

// Share of questioned entities that are persons (persons have 6 attributes, companies 4).
const PERSON_SHARE = 0.6;
// Questioned attributes per entity: 2..4 of a person's 6, 2..3 of a company's 4, so every entity
// keeps attributes free for same-entity distractors.
const MAX_QUESTIONED_ATTRIBUTES: Readonly<Record<EntityType, number>> = { person: 4, company: 3 };

type EntityRole = "target" | "namesake" | "unrelated";

interface Entity {
  readonly name: string;
  readonly type: EntityType;
  readonly words: readonly [string, string];
  readonly role: EntityRole;
  /** Attributes stated for this entity so far (each is one fact). */
  readonly stated: Set<AttributeId>;
  /** For a target: the namesakes created for it. */
  readonly namesakes: Entity[];
}

type StatementKind = "original" | "update" | "distractor";
type DistractorKind = "namesake" | "same_entity" | "unrelated";

interface Statement {
  readonly fact: Fact;
  readonly chunk: number;
  readonly kind: StatementKind;
  value: string;
  /** "original" or the paraphrase index. */
  template: "original" | number;
  text: string;
  /** Position inside the chunk after shuffling. */
  position: number;
}

interface Fact {
  readonly entity: Entity;
  readonly attribute: AttributeDefinition;
  /** True for the facts a global question asks about. */
  readonly questioned: boolean;
  readonly distractorKind?: DistractorKind;
  readonly statements: Statement[];
}

/**
 * Generates the whole benchmark: `instanceCount` instances. Throws `SyntheticOptionsError` for a bad
 * knob. Same options, same output (byte-identical once serialised).
 */
export function generateSyntheticBenchmark(input: SyntheticOptionsInput = {}): BenchmarkInstance[] {
  const options = resolveSyntheticOptions(input);
  return Array.from({ length: options.instanceCount }, (_, index) => generateSyntheticInstance(options, index));
}

/**
 * Generates instance `index` (0-based). It depends on the seed, the per-instance knobs and the index
 * only, so the first n instances of a larger benchmark equal a benchmark of n instances.
 */
export function generateSyntheticInstance(input: SyntheticOptionsInput, index: number): BenchmarkInstance {
  const options = resolveSyntheticOptions(input);
  if (!Number.isInteger(index) || index < 0) {
    throw new FineMemError("out_of_range", `instance index must be an integer ≥ 0, got ${index}`, { path: ["index"] });
  }
  const optionsJson = canonicalInstanceOptionsJson(options);
  const optionsHash = createHash("sha256").update(optionsJson).digest("hex").slice(0, 12);
  const instanceId = `synthetic-${optionsHash}-${index}`;
  const random = createSeededRandom(options.seed).fork(`synthetic/${SYNTHETIC_REVISION}/instance/${index}`);

  const schedule = planFactSchedule(options);
  const names = new NameRegistry();
  const targetFacts = createTargetFacts(random.fork("entities"), names, schedule.targetFacts);
  const chunks = placeTargetStatements(random.fork("placement"), schedule, targetFacts);
  const values = new ValuePicker();
  assignTargetValues(random.fork("values"), values, chunks);
  addDistractors(random.fork("distractors"), names, values, schedule, targetFacts, chunks);
  chooseTemplates(random.fork("paraphrase"), chunks, options.paraphraseShare);
  orderChunks(random.fork("order"), chunks);

  const chunkId = (c: number): string => `${instanceId}:chunk-${c + 1}`;
  const questionRandom = random.fork("questions");
  const chunkQuestions = chunks.map((statements, c) =>
    chooseChunkQuestions(questionRandom, statements, options.questionsPerChunk).map(
      (statement, j): ChunkQuestion => ({
        id: `${chunkId(c)}:q${j + 1}`,
        question: renderQuestion(statement.fact.attribute, statement.fact.entity.name),
        gold: statement.value,
      }),
    ),
  );

  const questions = globalQuestions(instanceId, targetFacts, chunkId);
  const counts = countStatements(chunks);
  const changedFacts = targetFacts.filter((fact) => fact.statements.length > 1).length;
  return {
    instanceId,
    dataSource: SYNTHETIC_DATA_SOURCE,
    competency: changedFacts > 0 ? "CR" : "AR",
    protocol: "memoryagentbench",
    chunks: chunks.map((statements, c) => ({
      id: chunkId(c),
      text: statements.map((statement) => statement.text).join(" "),
    })),
    chunkQuestions,
    questions,
    metadata: {
      generator: "finemem-synthetic",
      generatorVersion: SYNTHETIC_GENERATOR_VERSION,
      seed: options.seed,
      instanceIndex: index,
      options: {
        seed: options.seed,
        instanceCount: options.instanceCount,
        chunkCount: options.chunkCount,
        factsPerChunk: options.factsPerChunk,
        questionsPerChunk: options.questionsPerChunk,
        changedShare: options.changedShare,
        distractorShare: options.distractorShare,
        paraphraseShare: options.paraphraseShare,
      },
      stats: {
        targetFacts: targetFacts.length,
        changedFacts,
        realizedChangedShare: targetFacts.length === 0 ? 0 : changedFacts / targetFacts.length,
        paraphrasedUpdates: counts.paraphrasedUpdates,
        distractorStatements: counts.distractors,
        namesakeDistractors: counts.namesake,
        sameEntityDistractors: counts.same_entity,
        unrelatedDistractors: counts.unrelated,
      },
    },
    source: { repo: SYNTHETIC_REPO, revision: SYNTHETIC_REVISION, file: optionsJson, sha256: null, row: index },
  };
}

/** Invented full names, each used once per instance. */
class NameRegistry {
  private readonly used = new Set<string>();

  private pools(type: EntityType): readonly [readonly string[], readonly string[]] {
    return type === "person" ? [PERSON_FIRST_NAMES, PERSON_LAST_NAMES] : [COMPANY_STEMS, COMPANY_SUFFIXES];
  }

  /**
   * A new name; `keep` fixes one of its two words (for namesakes). Candidates are scanned from a
   * random start, so the choice is random yet the scan always ends; `undefined` when all are taken.
   */
  take(
    random: RandomSource,
    type: EntityType,
    keep?: { readonly position: 0 | 1; readonly word: string },
  ): readonly [string, string] | undefined {
    const [firsts, seconds] = this.pools(type);
    const candidate =
      keep === undefined
        ? (at: number): readonly [string, string] => [
            firsts[Math.floor(at / seconds.length)]!,
            seconds[at % seconds.length]!,
          ]
        : keep.position === 0
          ? (at: number): readonly [string, string] => [keep.word, seconds[at]!]
          : (at: number): readonly [string, string] => [firsts[at]!, keep.word];
    const total =
      keep === undefined ? firsts.length * seconds.length : keep.position === 0 ? seconds.length : firsts.length;
    const start = random.int(total);
    for (let offset = 0; offset < total; offset++) {
      const words = candidate((start + offset) % total);
      const name = words.join(" ");
      if (this.used.has(name)) continue;
      this.used.add(name);
      return words;
    }
    return undefined;
  }
}

function newEntity(type: EntityType, words: readonly [string, string], role: EntityRole): Entity {
  return { name: words.join(" "), type, words, role, stated: new Set(), namesakes: [] };
}

function shuffle<T>(random: RandomSource, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function pick<T>(random: RandomSource, items: readonly T[]): T {
  return items[random.int(items.length)]!;
}

/** The questioned facts: entities with 2–4 (person) or 2–3 (company) questioned attributes each. */
function createTargetFacts(random: RandomSource, names: NameRegistry, count: number): Fact[] {
  const facts: Fact[] = [];
  while (facts.length < count) {
    const preferred: EntityType = random.next() < PERSON_SHARE ? "person" : "company";
    const other: EntityType = preferred === "person" ? "company" : "person";
    let type = preferred;
    let words = names.take(random, preferred);
    if (words === undefined) {
      type = other;
      words = names.take(random, other);
    }
    if (words === undefined) throw new FineMemError("capacity_exceeded", "the synthetic name pools are exhausted");
    const entity = newEntity(type, words, "target");
    const attributes = shuffle(random, attributesOf(type));
    const wanted = 2 + random.int(MAX_QUESTIONED_ATTRIBUTES[type] - 1);
    for (const attribute of attributes.slice(0, Math.min(wanted, count - facts.length))) {
      entity.stated.add(attribute.id);
      facts.push({ entity, attribute, questioned: true, statements: [] });
    }
  }
  return facts;
}

/**
 * Puts first statements and changes into chunks following the schedule: first statements take the
 * facts in a shuffled order; each change picks a random fact first stated in an earlier chunk and not
 * yet changed (the schedule guarantees there are enough).
 */
function placeTargetStatements(random: RandomSource, schedule: FactSchedule, facts: readonly Fact[]): Statement[][] {
  const queue = shuffle(random, facts);
  let next = 0;
  const pending: Fact[] = [];
  return schedule.chunks.map((layout, chunk) => {
    const statements: Statement[] = [];
    for (let u = 0; u < layout.updates; u++) {
      const fact = pending.splice(random.int(pending.length), 1)[0]!;
      statements.push(addStatement(fact, chunk, "update"));
    }
    for (let o = 0; o < layout.originals; o++) {
      const fact = queue[next++]!;
      statements.push(addStatement(fact, chunk, "original"));
      pending.push(fact);
    }
    return statements;
  });
}

function addStatement(fact: Fact, chunk: number, kind: StatementKind): Statement {
  const statement: Statement = { fact, chunk, kind, value: "", template: "original", text: "", position: 0 };
  fact.statements.push(statement);
  return statement;
}

/**
 * Values per attribute, preferring values not yet used in the instance: then a gold value appears in
 * no other sentence of the instance, and containment cannot credit a wrong sentence by coincidence
 * (only when a pool runs out, in very large instances, are values reused). One picker serves the
 * questioned facts and the distractors, each with its own random source.
 */
class ValuePicker {
  private readonly used = new Map<AttributeId, Set<string>>();

  pick(
    random: RandomSource,
    attribute: AttributeDefinition,
    exclude: ReadonlySet<string>,
    candidates: readonly string[] = attribute.values,
  ): string {
    let used = this.used.get(attribute.id);
    if (used === undefined) {
      used = new Set();
      this.used.set(attribute.id, used);
    }
    const allowed = candidates.filter((value) => !exclude.has(value));
    const fresh = allowed.filter((value) => !used.has(value));
    const value = pick(random, fresh.length > 0 ? fresh : allowed);
    used.add(value);
    return value;
  }

  /** A new value for a change: different from every earlier value; ages only go up (by 1–5). */
  change(random: RandomSource, attribute: AttributeDefinition, earlier: readonly string[]): string {
    const exclude = new Set(earlier);
    if (attribute.changeRule === "increasing") {
      const last = Number(earlier[earlier.length - 1]);
      return this.pick(
        random,
        attribute,
        exclude,
        [1, 2, 3, 4, 5].map((step) => String(last + step)),
      );
    }
    return this.pick(random, attribute, exclude);
  }
}

function assignTargetValues(random: RandomSource, values: ValuePicker, chunks: readonly Statement[][]): void {
  for (const statement of chunks.flat()) {
    const { statements, attribute } = statement.fact;
    const earlier = statements.slice(0, statements.indexOf(statement)).map((s) => s.value);
    statement.value =
      statement.kind === "update"
        ? values.change(random, attribute, earlier)
        : values.pick(random, attribute, new Set());
  }
}

/** A distractor fact before it is stated: whose, which attribute, and values it must avoid. */
interface DistractorChoice {
  readonly entity: Entity;
  readonly attribute: AttributeDefinition;
  readonly kind: DistractorKind;
  readonly avoid: ReadonlySet<string>;
}

/**
 * Distractors, spread over the chunks by the schedule. Each is, at random, a namesake's fact on an
 * attribute that a questioned entity is asked about (sharing its first or last name, or a company's
 * stem or suffix), or an unasked attribute of a questioned entity; when neither is possible, a fact
 * of a new unrelated entity. Distractors are stated with the original template, the one whose words
 * the questions reuse, so that they compete with the facts for the same queries. A namesake's value
 * avoids every value of the fact it imitates, so it can never supply that question's gold.
 */
function addDistractors(
  random: RandomSource,
  names: NameRegistry,
  values: ValuePicker,
  schedule: FactSchedule,
  targetFacts: readonly Fact[],
  chunks: Statement[][],
): void {
  const targets = [...new Set(targetFacts.map((fact) => fact.entity))];
  const factsOf = new Map<Entity, Fact[]>();
  for (const fact of targetFacts) factsOf.set(fact.entity, [...(factsOf.get(fact.entity) ?? []), fact]);

  const namesake = (): DistractorChoice | undefined => {
    const target = pick(random, targets);
    const asked = pick(random, factsOf.get(target)!);
    let entity = target.namesakes.find((candidate) => !candidate.stated.has(asked.attribute.id));
    if (entity === undefined) {
      const kept: 0 | 1 = random.int(2) === 0 ? 0 : 1;
      const other: 0 | 1 = kept === 0 ? 1 : 0;
      const words =
        names.take(random, target.type, { position: kept, word: target.words[kept] }) ??
        names.take(random, target.type, { position: other, word: target.words[other] });
      if (words === undefined) return undefined;
      entity = newEntity(target.type, words, "namesake");
      target.namesakes.push(entity);
    }
    return {
      entity,
      attribute: asked.attribute,
      kind: "namesake",
      avoid: new Set(asked.statements.map((s) => s.value)),
    };
  };

  const sameEntity = (): DistractorChoice | undefined => {
    const open = targets.filter((entity) =>
      attributesOf(entity.type).some((attribute) => !entity.stated.has(attribute.id)),
    );
    if (open.length === 0) return undefined;
    const entity = pick(random, open);
    const attribute = pick(
      random,
      attributesOf(entity.type).filter((candidate) => !entity.stated.has(candidate.id)),
    );
    return { entity, attribute, kind: "same_entity", avoid: new Set() };
  };

  const unrelated = (): DistractorChoice => {
    const preferred: EntityType = random.next() < PERSON_SHARE ? "person" : "company";
    for (const type of [preferred, preferred === "person" ? "company" : "person"] as const) {
      const words = names.take(random, type);
      if (words === undefined) continue;
      const entity = newEntity(type, words, "unrelated");
      return { entity, attribute: pick(random, attributesOf(type)), kind: "unrelated", avoid: new Set() };
    }
    throw new FineMemError("capacity_exceeded", "the synthetic name pools are exhausted");
  };

  schedule.chunks.forEach((layout, chunk) => {
    for (let d = 0; d < layout.distractors; d++) {
      const choice = (random.int(2) === 0 ? (namesake() ?? sameEntity()) : (sameEntity() ?? namesake())) ?? unrelated();
      choice.entity.stated.add(choice.attribute.id);
      const fact: Fact = {
        entity: choice.entity,
        attribute: choice.attribute,
        questioned: false,
        distractorKind: choice.kind,
        statements: [],
      };
      const statement = addStatement(fact, chunk, "distractor");
      statement.value = values.pick(random, choice.attribute, choice.avoid);
      chunks[chunk]!.push(statement);
    }
  });
}

/** Changes use a paraphrase with probability `paraphraseShare`; both draws are made either way, so the share only flips templates. */
function chooseTemplates(random: RandomSource, chunks: readonly Statement[][], paraphraseShare: number): void {
  for (const statement of chunks.flat()) {
    if (statement.kind === "update") {
      const draw = random.next();
      const paraphrase = random.int(statement.fact.attribute.paraphrases.length);
      statement.template = draw < paraphraseShare ? paraphrase : "original";
    }
    const template =
      statement.template === "original"
        ? statement.fact.attribute.original
        : statement.fact.attribute.paraphrases[statement.template]!;
    statement.text = renderTemplate(template, statement.fact.entity.name, statement.value);
  }
}

/** Shuffles each chunk's sentences, so neither changes nor distractors sit at a fixed place. */
function orderChunks(random: RandomSource, chunks: Statement[][]): void {
  chunks.forEach((statements, c) => {
    const ordered = shuffle(random, statements);
    ordered.forEach((statement, position) => {
      statement.position = position;
    });
    chunks[c] = ordered;
  });
}

/** K different facts of the chunk, in the order the chunk states them. */
function chooseChunkQuestions(random: RandomSource, statements: readonly Statement[], k: number): Statement[] {
  return shuffle(random, statements)
    .slice(0, k)
    .sort((a, b) => a.position - b.position);
}

/** One question per questioned fact, in the order the facts are first stated; the gold is the latest value. */
function globalQuestions(instanceId: string, facts: readonly Fact[], chunkId: (c: number) => string): GlobalQuestion[] {
  const ordered = [...facts].sort(
    (a, b) => a.statements[0]!.chunk - b.statements[0]!.chunk || a.statements[0]!.position - b.statements[0]!.position,
  );
  return ordered.map((fact, j): GlobalQuestion => {
    const first = fact.statements[0]!;
    const latest = fact.statements[fact.statements.length - 1]!;
    const changed = fact.statements.length > 1;
    const metadata: { [key: string]: JsonValue } = {
      kind: changed ? "changed" : "unchanged",
      entity: fact.entity.name,
      entityType: fact.entity.type,
      attribute: fact.attribute.id,
      factChunk: chunkId(latest.chunk),
    };
    if (changed) {
      metadata.originalChunk = chunkId(first.chunk);
      metadata.previousValue = fact.statements[fact.statements.length - 2]!.value;
      metadata.updateTemplate = latest.template === "original" ? "original" : "paraphrase";
    }
    return {
      id: `${instanceId}:q${j + 1}`,
      question: renderQuestion(fact.attribute, fact.entity.name),
      gold: latest.value,
      metadata,
    };
  });
}

function countStatements(
  chunks: readonly Statement[][],
): Record<"paraphrasedUpdates" | "distractors" | DistractorKind, number> {
  const counts = { paraphrasedUpdates: 0, distractors: 0, namesake: 0, same_entity: 0, unrelated: 0 };
  for (const statement of chunks.flat()) {
    if (statement.kind === "update" && statement.template !== "original") counts.paraphrasedUpdates += 1;
    if (statement.kind === "distractor") {
      counts.distractors += 1;
      counts[statement.fact.distractorKind ?? "unrelated"] += 1;
    }
  }
  return counts;
}
