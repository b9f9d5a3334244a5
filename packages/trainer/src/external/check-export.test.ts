// python/check_export.py (standard library only) on fresh exports, which it must pass, and on tampered
// ones, which it must fail naming the line: the exported advantages checked against verl's formula as
// written in Python, apart from the TypeScript that computed them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probePython, pythonPath } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { createExternalTrainer } from "./external-trainer.js";
import { fixtureGroup, mixedRequest } from "./test-support/export-fixtures.js";

const CHECK = join(import.meta.dirname, "..", "..", "python", "check_export.py");
const python = await checkService("python", () => probePython([]));

function check(path: string): { status: number | null; output: string } {
  const result = spawnSync(pythonPath(), [CHECK, path], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A fresh export of one update; returns the JSONL file's path. */
async function exportOf(options: { normalizeByStd?: boolean; epsilon?: number }, grouping: "pooled" | "per-step") {
  const directory = join(mkdtempSync(join(tmpdir(), "finemem-check-")), "export");
  const trainer = await createExternalTrainer({ directory, formats: ["jsonl"], ...options });
  const request = mixedRequest(grouping);
  // A larger group too, with ties and negative rewards, so that std and ε matter.
  const wide = fixtureGroup("decisions", "inst-d", [[-1, 2, 0.5], [0.25, 0.25], [3], [-0.5, 0.125, 1, 7]]);
  await trainer.update({ ...request, groups: [...request.groups, wide] });
  return join(directory, "samples-000001.jsonl");
}

/** `path` with line `number` (1-based) changed by `edit`; returns the new file's path. */
function tampered(path: string, number: number, edit: (row: Record<string, unknown>) => void): string {
  const lines = readFileSync(path, "utf8").split("\n");
  const row = JSON.parse(lines[number - 1]!) as Record<string, unknown>;
  edit(row);
  lines[number - 1] = JSON.stringify(row);
  const out = path.replace(/\.jsonl$/, `-tampered-${number}.jsonl`);
  writeFileSync(out, lines.join("\n"));
  return out;
}

describe.skipIf(!python.available)("python/check_export.py", () => {
  for (const grouping of ["pooled", "per-step"] as const) {
    for (const settings of [{}, { normalizeByStd: false }, { epsilon: 0.5 }]) {
      it(`passes a fresh ${grouping} export with ${JSON.stringify(settings)}`, async () => {
        const { status, output } = check(await exportOf(settings, grouping));
        expect(output).toMatch(
          new RegExp(`^check_export\\.py: ok: .*: 19 samples in \\d+ groups, update 1, ${grouping} `),
        );
        expect(output.trim().split("\n")).toHaveLength(1);
        expect(status).toBe(0);
      });
    }
  }

  it("fails a tampered advantage, naming the line", async () => {
    const path = await exportOf({}, "per-step");
    const { status, output } = check(tampered(path, 3, (row) => (row.advantage = (row.advantage as number) + 1e-3)));
    expect(status).toBe(1);
    expect(output).toMatch(/line 3: advantage: expected .*verl's GRPO over group 0:inst-a:step-1 of update 1/);
  });

  it("fails a tampered reward (the advantages no longer follow), naming the first line of its group", async () => {
    const path = await exportOf({}, "pooled");
    const { status, output } = check(tampered(path, 2, (row) => (row.reward = 0.75)));
    expect(status).toBe(1);
    expect(output).toMatch(/line 1: advantage: expected/);
  });

  it("fails wrong types, a missing or unknown field, a newer schema and settings that disagree in a group", async () => {
    const path = await exportOf({}, "per-step");
    const cases: [number, (row: Record<string, unknown>) => void, RegExp][] = [
      [2, (row) => (row.reward = "1"), /line 2: reward: expected a finite number, got "1"/],
      [4, (row) => delete row.groupId, /line 4: groupId: missing/],
      [5, (row) => (row.extra = 1), /line 5: extra: not a field of schema version 1/],
      [6, (row) => (row.schemaVersion = 2), /line 6: schemaVersion: 2 is newer than 1/],
      [
        1,
        (row) => (row.behaviourLogprobs = [-1]),
        /line 1: behaviourLogprobs: expected one log-probability per response token \(3\)/,
      ],
      [1, (row) => (row.truncated = true), /line 1: truncated: expected false/],
      [5, (row) => (row.promptTokenIds = [1]), /line 5: promptTokenIds: expected null on a 'decisions' sample/],
      [7, (row) => (row.groupId = "9:inst-b"), /line 7: groupId: expected an id ending in ':inst-b:step-1'/],
      [3, (row) => (row.epsilon = 0.5), /line 3: epsilon: 0\.5 differs from 1e-06 elsewhere in group 0:inst-a:step-1/],
      [8, (row) => (row.rollout = 1.5), /line 8: rollout: expected an integer >= 0/],
    ];
    for (const [line, edit, message] of cases) {
      const { status, output } = check(tampered(path, line, edit));
      expect(output).toMatch(message);
      expect(status).toBe(1);
    }
    const notJson = path.replace(/\.jsonl$/, "-nan.jsonl");
    writeFileSync(notJson, readFileSync(path, "utf8").replace(/"advantage":[^,]*/, '"advantage":NaN'));
    expect(check(notJson)).toMatchObject({ status: 1, output: expect.stringMatching(/line 1: not a JSON value/) });
    expect(check(join(tmpdir(), "no-such-export.jsonl")).status).toBe(2);
  });
});
