import { createHash } from "node:crypto";
import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import {
  buildJudgePrompt,
  isJudgeVerdictCorrect,
  JUDGE_PROMPT_HASH,
  JUDGE_PROMPT_TEMPLATE,
  JUDGE_PROMPT_VERSION,
  judgeAnswer,
} from "./llm-judge.js";
import { JudgeRequiredError } from "./metric-errors.js";

describe("the judge prompt", () => {
  it("is identified by the sha256 of its version and template", () => {
    expect(JUDGE_PROMPT_HASH).toBe(
      createHash("sha256").update(`${JUDGE_PROMPT_VERSION}\n${JUDGE_PROMPT_TEMPLATE}`).digest("hex"),
    );
    // Pinned: editing the prompt must bump JUDGE_PROMPT_VERSION and this value together, so recorded
    // judged figures never silently change meaning.
    expect(JUDGE_PROMPT_VERSION).toBe("finemem-judge-v1");
    expect(JUDGE_PROMPT_HASH).toBe("13b8c02bf25d3f1d715757549a8e2cb015bb4f19c30779b572f773d6613bfcea");
  });

  it("fills question, reference and response once, leaving braces in them alone", () => {
    const prompt = buildJudgePrompt({
      question: "Which {reference}?",
      gold: ["tea", "green tea"],
      prediction: "Green tea {response}",
    });
    expect(prompt).toContain("Which {reference}?");
    expect(prompt).toContain("- tea\n- green tea");
    expect(prompt).toContain("Green tea {response}");
    expect(buildJudgePrompt({ gold: "x", prediction: "y" })).toContain("(the question was not recorded)");
  });
});

describe("isJudgeVerdictCorrect", () => {
  it("needs a yes and no 'no' anywhere, as Mem-α's substring test", () => {
    expect(isJudgeVerdictCorrect("Yes")).toBe(true);
    expect(isJudgeVerdictCorrect(" YES. ")).toBe(true);
    expect(isJudgeVerdictCorrect("no")).toBe(false);
    expect(isJudgeVerdictCorrect("yes, but not fully")).toBe(false);
    // "know" and "cannot" contain "no": the original rule counts them as a no.
    expect(isJudgeVerdictCorrect("I know: yes")).toBe(false);
    expect(isJudgeVerdictCorrect("correct")).toBe(false);
  });
});

describe("judgeAnswer", () => {
  it("asks the model with this project's prompt and reports the judge", async () => {
    const model = createScriptedLanguageModel(["Yes.", "No."], { modelId: "judge-7b" });
    const input = {
      dataSource: "lme_train",
      question: "What tea do I like?",
      gold: "green tea",
      prediction: "You like green tea.",
    };
    const correct = await judgeAnswer(input, model);
    expect(correct).toEqual({
      score: 1,
      judge: { modelId: "judge-7b", promptHash: JUDGE_PROMPT_HASH, ownPrompt: true },
    });
    expect((await judgeAnswer(input, model)).score).toBe(0);
    expect(model.calls).toHaveLength(2);
    expect(model.calls[0]!.messages).toEqual([{ role: "user", content: buildJudgePrompt(input) }]);
    expect(model.calls[0]!.sampling).toEqual({ temperature: 0 });
  });

  it("names the model the backend reports", async () => {
    const model = createScriptedLanguageModel([
      {
        text: "yes",
        toolCalls: [],
        finishReason: "stop",
        usage: { promptTokens: 1, completionTokens: 1 },
        modelId: "served-model",
      },
    ]);
    const result = await judgeAnswer({ dataSource: "lme_train", gold: "x", prediction: "x" }, model);
    expect(result.judge?.modelId).toBe("served-model");
  });

  it("throws JudgeRequiredError without a judge", async () => {
    await expect(
      judgeAnswer({ dataSource: "lme_train", gold: "x", prediction: "x" }, undefined),
    ).rejects.toBeInstanceOf(JudgeRequiredError);
  });
});
