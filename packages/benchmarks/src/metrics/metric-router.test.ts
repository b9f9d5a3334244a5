import { metricResultValidator } from "@finemem/spec";
import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { JUDGE_PROMPT_HASH } from "./llm-judge.js";
import { JudgeRequiredError, MetricInputError, UnsupportedMetricError } from "./metric-errors.js";
import { createMetric, memoryAgentBenchPrimaryMetric, scoreAnswer } from "./metric-router.js";

describe("scoreAnswer, memalpha protocol", () => {
  it("returns Mem-α's float as the score", async () => {
    expect(
      await scoreAnswer({ protocol: "memalpha", dataSource: "squad", prediction: "It is Paris.", gold: "paris" }),
    ).toEqual({ score: 1 });
    expect(
      await scoreAnswer({ protocol: "memalpha", dataSource: "perltqa", prediction: "tennis", gold: "tennis; chess" }),
    ).toEqual({ score: 0.5 });
    const rouge = await scoreAnswer({
      protocol: "memalpha",
      dataSource: "infbench_qa_eng_shots2",
      prediction: "Answer: The quick brown fox",
      gold: ["quick brown fox"],
    });
    expect(rouge.score).toBe(0.8571428571428571);
  });

  it("asks the judge for lme_train, on the text after </think>", async () => {
    const judge = createScriptedLanguageModel(["yes"], { modelId: "qwen-judge" });
    const result = await scoreAnswer(
      {
        protocol: "memalpha",
        dataSource: "lme_train",
        question: "Which tea?",
        prediction: "<think>hmm</think>Green tea",
        gold: "green tea",
      },
      { judge },
    );
    expect(result).toEqual({
      score: 1,
      judge: { modelId: "qwen-judge", promptHash: JUDGE_PROMPT_HASH, ownPrompt: true },
    });
    const prompt = judge.calls[0]!.messages[0]!.content;
    expect(prompt).toContain("Green tea");
    expect(prompt).not.toContain("hmm");
  });

  it("scores longmemeval_s by substring match as the recorded scorer does, or by the judge when asked", async () => {
    const input = {
      protocol: "memalpha",
      dataSource: "longmemeval_s",
      question: "Which colour?",
      prediction: "Answer: blue",
      gold: ["blue"],
    } as const;
    expect(await scoreAnswer(input)).toEqual({ score: 1 });
    const judge = createScriptedLanguageModel(["no"], { modelId: "qwen-judge" });
    expect(await scoreAnswer(input, { judge, judgeLongMemEval: true })).toEqual({
      score: 0,
      judge: { modelId: "qwen-judge", promptHash: JUDGE_PROMPT_HASH, ownPrompt: true },
    });
    expect(judge.calls).toHaveLength(1);
  });

  it("needs a judge for the judged sources", async () => {
    await expect(
      scoreAnswer({ protocol: "memalpha", dataSource: "lme_train", prediction: "x", gold: "x" }),
    ).rejects.toBeInstanceOf(JudgeRequiredError);
  });

  it("reports ruler_niah and recsys as unsupported rather than mapping them to another rule", async () => {
    const niah = scoreAnswer({
      protocol: "memalpha",
      dataSource: "ruler_niah_single_1",
      prediction: "1234",
      gold: ["1234"],
    });
    await expect(niah).rejects.toBeInstanceOf(UnsupportedMetricError);
    await expect(niah).rejects.toMatchObject({ rule: "memalpha:ruler_niah" });
    await expect(
      scoreAnswer({ protocol: "memalpha", dataSource: "recsys_redial", prediction: "x", gold: ["1"] }),
    ).rejects.toBeInstanceOf(UnsupportedMetricError);
  });

  it("passes on the original's input errors", async () => {
    await expect(
      scoreAnswer({ protocol: "memalpha", dataSource: "booksum", prediction: "x", gold: [] }),
    ).rejects.toMatchObject({
      kind: "zero_division",
    });
    await expect(
      scoreAnswer({ protocol: "memalpha", dataSource: "booksum", prediction: "x", gold: [] }),
    ).rejects.toBeInstanceOf(MetricInputError);
  });
});

describe("scoreAnswer, memoryagentbench protocol", () => {
  it("scores the default route by substring match, with every figure as a number in details", async () => {
    const result = await scoreAnswer({
      protocol: "memoryagentbench",
      dataSource: "factconsolidation_mh_6k",
      prediction: "The answer is Shahnameh.",
      gold: ["Shahnameh"],
    });
    expect(result.score).toBe(1);
    expect(result.details).toEqual({
      exact_match: 0,
      f1: 0.5,
      substring_exact_match: 1,
      rougeL_f1: 0.4,
      rougeL_recall: 1,
      rougeLsum_f1: 0.4,
      rougeLsum_recall: 1,
    });
    expect(metricResultValidator.validate(result).ok).toBe(true);
  });

  it("scores icl_* by exact match of the parsed output", async () => {
    const result = await scoreAnswer({
      protocol: "memoryagentbench",
      dataSource: "icl_trec_coarse_6600shot_balance",
      prediction: "12",
      gold: ["2"],
    });
    expect(result.score).toBe(0);
    expect(result.details?.substring_exact_match).toBe(1);
  });

  it("scores eventqa by EventQA recall and ruler_niah by ruler recall", async () => {
    const eventqa = await scoreAnswer({
      protocol: "memoryagentbench",
      dataSource: "eventqa_full",
      prediction: "He went to the market.",
      gold: ["went to the market", "met Anna"],
    });
    expect(eventqa.score).toBe(0);
    expect(eventqa.details?.substring_exact_match).toBe(1);
    const niah = await scoreAnswer({
      protocol: "memoryagentbench",
      dataSource: "ruler_niah_single_1",
      prediction: "1234 and 5678",
      gold: ["1234", "5678", "9999"],
    });
    expect(niah).toEqual({ score: 2 / 3, details: { ruler_recall: 2 / 3 } });
  });

  it("scores the text after </think>", async () => {
    const result = await scoreAnswer({
      protocol: "memoryagentbench",
      dataSource: "ruler_qa1_197K",
      prediction: "<think>Paris?</think>London",
      gold: ["Paris"],
    });
    expect(result.score).toBe(0);
  });

  it("names the figure each route scores by", () => {
    expect(memoryAgentBenchPrimaryMetric("icl_banking77_5900shot_balance")).toBe("exact_match");
    expect(memoryAgentBenchPrimaryMetric("eventqa_65536")).toBe("eventqa_recall");
    expect(memoryAgentBenchPrimaryMetric("ruler_niah_multikey_2")).toBe("ruler_recall");
    expect(memoryAgentBenchPrimaryMetric("ruler_qa2_421K")).toBe("substring_exact_match");
    expect(memoryAgentBenchPrimaryMetric("longmemeval_s")).toBe("substring_exact_match");
    expect(memoryAgentBenchPrimaryMetric("infbench_choice_eng")).toBe("substring_exact_match");
  });

  it("reports recsys as unsupported", async () => {
    await expect(
      scoreAnswer({ protocol: "memoryagentbench", dataSource: "recsys_redial_full", prediction: "x", gold: ["1"] }),
    ).rejects.toBeInstanceOf(UnsupportedMetricError);
  });
});

describe("createMetric", () => {
  it("wraps a protocol as a spec Metric", async () => {
    const judge = createScriptedLanguageModel(["no"]);
    const memalpha = createMetric("memalpha", { judge });
    expect(memalpha).toMatchObject({ specificationVersion: "v1", protocol: "memalpha", judged: true });
    expect(await memalpha.score({ dataSource: "hotpotqa", prediction: "Paris", gold: "paris" })).toEqual({ score: 1 });
    expect((await memalpha.score({ dataSource: "lme_train", prediction: "x", gold: "y" })).score).toBe(0);

    const mab = createMetric("memoryagentbench");
    expect(mab).toMatchObject({ protocol: "memoryagentbench", judged: false });
    expect((await mab.score({ dataSource: "longmemeval_s", prediction: "Answer: blue", gold: ["blue"] })).score).toBe(
      1,
    );
  });

  it("rejects once the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      createMetric("memalpha").score(
        { dataSource: "squad", prediction: "x", gold: "x" },
        { signal: controller.signal },
      ),
    ).rejects.toMatchObject({
      code: "aborted",
    });
  });
});
