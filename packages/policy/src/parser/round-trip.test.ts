import type { MemoryOperation, ParseOutcome } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ToolSetId } from "../tools/tool-sets.js";
import { parseManagerReply } from "./parse-manager-reply.js";
import { type ReplyFormat, renderOperations } from "./render-reply.js";
import { JSON_REPAIRS, type RepairName } from "./repairs.js";
import {
  defectApplies,
  FORMATS,
  operationsArbitrary,
  prosePiecesArbitrary,
  renderWithDefect,
  TOOL_SETS,
} from "./test-support/reply-arbitraries.js";

const ROUND_TRIP_RUNS = 2000;
// The acceptance asks for 2,000 generated lists in each format and with each repairable defect.
const DEFECT_RUNS = 2000;

/** A case: a tool set, operations it can express, and prose for around the calls. */
const caseArbitrary = (toolSets: readonly ToolSetId[] = TOOL_SETS) =>
  fc.constantFrom(...toolSets).chain((toolSet) =>
    fc.record({
      toolSet: fc.constant(toolSet),
      operations: operationsArbitrary(toolSet),
      prose: prosePiecesArbitrary,
    }),
  );

function expectEmptyReply(outcomes: readonly ParseOutcome[]): void {
  expect(outcomes).toHaveLength(1);
  expect(outcomes[0]).toMatchObject({ fragment: 0, status: "failed", reason: "empty_reply" });
}

function expectRoundTrip(
  operations: readonly MemoryOperation[],
  parsed: ReturnType<typeof parseManagerReply>,
  repairs: (index: number) => readonly RepairName[],
): void {
  expect(parsed.inputCapped).toBe(false);
  if (operations.length === 0) {
    expect(parsed.operations).toEqual([]);
    expectEmptyReply(parsed.parseOutcomes);
    return;
  }
  expect(parsed.operations).toStrictEqual(operations);
  expect(parsed.parseOutcomes).toHaveLength(operations.length);
  parsed.parseOutcomes.forEach((outcome, index) => {
    const expected = [...repairs(index)].sort();
    if (expected.length === 0) {
      expect(outcome).toStrictEqual({ fragment: index, status: "parsed", operationIndex: index, repairs: [] });
    } else {
      expect(outcome).toMatchObject({ fragment: index, status: "repaired", operationIndex: index });
      expect(
        outcome.status === "failed" || outcome.status === "internal_error" ? [] : [...outcome.repairs].sort(),
      ).toStrictEqual(expected);
    }
  });
}

describe("round trip: renderOperations then parseManagerReply gives the operations back", () => {
  for (const format of FORMATS) {
    it(`${format}: every call parsed, operations equal (${ROUND_TRIP_RUNS} runs)`, () => {
      fc.assert(
        fc.property(caseArbitrary(), ({ toolSet, operations, prose }) => {
          const reply = renderOperations(operations, { toolSet, format, prose });
          expectRoundTrip(operations, parseManagerReply(reply, { toolSet }), () => []);
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });
  }

  it("bare-json in the operation-object style", () => {
    fc.assert(
      fc.property(caseArbitrary(), ({ toolSet, operations, prose }) => {
        const reply = renderOperations(operations, { toolSet, format: "bare-json", bareJsonStyle: "operation", prose });
        expectRoundTrip(operations, parseManagerReply(reply, { toolSet }), () => []);
      }),
      { numRuns: 500 },
    );
  });
});

describe("round trip with a repairable defect injected: operations equal, outcomes list the repair", () => {
  it("covers every listed repair", () => {
    const covered = JSON_REPAIRS.map((repair) => repair.name).filter((name) =>
      FORMATS.some((format) => TOOL_SETS.some((toolSet) => defectApplies(name as RepairName, format, toolSet))),
    );
    expect(covered).toStrictEqual(JSON_REPAIRS.map((repair) => repair.name));
  });

  for (const { name } of JSON_REPAIRS) {
    const defect = name as RepairName;
    const combinations = FORMATS.flatMap((format) =>
      TOOL_SETS.filter((toolSet) => defectApplies(defect, format, toolSet)).map((toolSet) => ({ format, toolSet })),
    );
    it(`${defect} (${combinations.map(({ format, toolSet }) => `${format}/${toolSet}`).join(", ")})`, () => {
      const arbitrary = fc.constantFrom(...combinations).chain(({ format, toolSet }) =>
        fc.record({
          format: fc.constant<ReplyFormat>(format),
          toolSet: fc.constant(toolSet),
          // At least one call, so that there is something to repair.
          operations: operationsArbitrary(toolSet).filter((operations) => operations.length > 0),
          prose: prosePiecesArbitrary,
        }),
      );
      let repairedCalls = 0;
      fc.assert(
        fc.property(arbitrary, ({ format, toolSet, operations, prose }) => {
          const { reply, expectedRepairs } = renderWithDefect(operations, toolSet, format, prose, defect);
          expectRoundTrip(operations, parseManagerReply(reply, { toolSet }), (index) => expectedRepairs[index] ?? []);
          repairedCalls += expectedRepairs.filter((repairs) => repairs.includes(defect)).length;
        }),
        { numRuns: DEFECT_RUNS },
      );
      expect(repairedCalls).toBeGreaterThan(DEFECT_RUNS / 4);
    });
  }
});
