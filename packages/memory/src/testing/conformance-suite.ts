import {
  type MemoryLayout,
  type MemoryOperation,
  type Namespace,
  type OperationResult,
  REJECTION_REASONS,
} from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createSeededRandom } from "@finemem/utils";
import { firstDifferingLine } from "../export/export-format.js";
import { TRUNCATION_MARKER } from "../store/core-truncation.js";
import { createInMemoryStore } from "../store/in-memory-store.js";
import type { MemoryBackend } from "../store/memory-backend.js";
import { namespaceKey } from "../store/namespace-key.js";
import {
  type ConformanceCase,
  type ConformanceHarness,
  type ConformanceStoreOptions,
  check,
  checkEqual,
  checkRejects,
} from "./conformance-harness.js";
import { FLAT_SCENARIOS, IMPOSSIBLE_REASONS, type ReasonScenario, TYPED_SCENARIOS } from "./reason-code-scenarios.js";

const DEFAULT_NAMESPACE: Namespace = {};
const LAYOUTS: readonly MemoryLayout[] = ["flat", "typed"];

/**
 * The conformance suite every memory backend runs: every operation and reason code in both layouts
 * (each rejection leaving the export byte-identical), φ under all policies, namespaces, forgetting by
 * source, fork isolation, export / import round trips and bad imports, close and reopen, and BM25
 * retrieval equal to the in-memory backend's. Returns plain cases so any test runner can run them.
 */
export function memoryBackendConformance(harness: ConformanceHarness): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const add = (group: string, name: string, run: () => Promise<void>) => cases.push({ group, name, run });

  const withStore = async (
    options: Partial<ConformanceStoreOptions> & { layout: MemoryLayout },
    body: (store: MemoryBackend) => Promise<void>,
  ) => {
    const store = await harness.open({ tokenCounter: createWhitespaceTokenCounter(), ...options });
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };

  // --- operations ---------------------------------------------------------------------------
  add("operations", "flat: INSERT, UPDATE, DELETE and SKIP apply in order and report ids and versions", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      const results = await applyOps(store, 1, [
        { type: "INSERT", content: "Ada lives in Paris" },
        { type: "INSERT", content: "Bob plays chess" },
        { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
        { type: "SKIP" },
        { type: "DELETE", id: "m2" },
      ]);
      checkEqual(
        results.map((result) => (result.status === "applied" ? [result.itemId, result.version] : result.reason)),
        [
          ["m1", 1],
          ["m2", 1],
          ["m1", 2],
          [null, null],
          ["m2", 2],
        ],
        "results of one step",
      );
      const view = await store.view(DEFAULT_NAMESPACE);
      checkEqual(
        view.items.map((item) => [item.id, item.content, item.version, item.createdStep, item.step]),
        [["m1", "Ada lives in Rome", 2, 1, 1]],
        "view after the step",
      );
      check(view.step === 1 && view.layout === "flat", `view step ${view.step} and layout ${view.layout}`);
      const history = await store.history(DEFAULT_NAMESPACE, "m2");
      checkEqual(
        history.map((version) => [
          version.version,
          version.content,
          version.tombstone,
          version.previousVersion,
          version.operationId,
          version.sourceChunkId,
        ]),
        [
          [1, "Bob plays chess", false, null, "s1-2", "chunk-1"],
          [2, "", true, 1, "s1-5", "chunk-1"],
        ],
        "history of a deleted item keeps its tombstone",
      );
      checkEqual(await store.history(DEFAULT_NAMESPACE, "m42"), [], "history of an unknown id");
    });
  });

  add(
    "operations",
    "typed: core is created and rewritten by UPDATE; semantic and episodic items carry their type and time",
    async () => {
      await withStore({ layout: "typed" }, async (store) => {
        const results = await applyOps(store, 1, [
          { type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "core" },
          { type: "INSERT", content: "Ada lives in Paris", memoryType: "semantic" },
          { type: "INSERT", content: "Ada met Bob", memoryType: "episodic", timestamp: "2024-05-01" },
        ]);
        checkEqual(
          results.map((result) => result.status),
          ["applied", "applied", "applied"],
          "typed writes",
        );
        await applyOps(store, 2, [
          { type: "UPDATE", id: "core", content: "The user is Ada, a chemist.", memoryType: "core" },
          { type: "UPDATE", id: "m2", content: "Ada met Bob in Rome" },
        ]);
        const view = await store.view(DEFAULT_NAMESPACE);
        checkEqual(
          view.items.map((item) => [item.id, item.memoryType, item.content, item.version, item.timestamp ?? null]),
          [
            ["core", "core", "The user is Ada, a chemist.", 2, null],
            ["m1", "semantic", "Ada lives in Paris", 1, null],
            ["m2", "episodic", "Ada met Bob in Rome", 2, "2024-05-01"],
          ],
          "typed view",
        );
        // An item with identical content of another type is not a duplicate.
        const [other] = await applyOps(store, 3, [
          { type: "INSERT", content: "Ada lives in Paris", memoryType: "episodic" },
        ]);
        check(other?.status === "applied", "the same text in another memory type is not a duplicate");
      });
    },
  );

  add("operations", "typed: an over-long core UPDATE is truncated to the cap and the cut is marked", async () => {
    await withStore({ layout: "typed", coreTokenCap: 16 }, async (store) => {
      const long = Array.from({ length: 40 }, (_, index) => `word${index}`).join(" ");
      const [result] = await applyOps(store, 1, [{ type: "UPDATE", id: "core", content: long, memoryType: "core" }]);
      check(result?.status === "applied", "a long core UPDATE applies in truncate mode");
      const core = (await store.view(DEFAULT_NAMESPACE)).items[0]!;
      check(core.content.endsWith(TRUNCATION_MARKER), `the truncated core ends with the marker: ${core.content}`);
      const tokens = createWhitespaceTokenCounter().count(core.content);
      check(tokens <= 16 && tokens >= 14, `the truncated core has ${tokens} tokens, expected close to the cap of 16`);
      check(
        long.startsWith(core.content.slice(0, -TRUNCATION_MARKER.length)),
        "the truncated core is a prefix of the text",
      );
    });
  });

  add("operations", "DELETE of core clears it and a later UPDATE writes it again", async () => {
    await withStore({ layout: "typed" }, async (store) => {
      await applyOps(store, 1, [{ type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "core" }]);
      await applyOps(store, 2, [{ type: "DELETE", id: "core" }]);
      check((await store.view(DEFAULT_NAMESPACE)).items.length === 0, "core is gone after DELETE");
      const [again] = await applyOps(store, 3, [
        { type: "UPDATE", id: "core", content: "The user is Bob.", memoryType: "core" },
      ]);
      check(
        again?.status === "applied" && again.version === 3,
        `core rewritten as version 3: ${JSON.stringify(again)}`,
      );
    });
  });

  add("operations", "a malformed request throws a typed error and changes nothing; steps never go back", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      await applyOps(store, 2, [{ type: "INSERT", content: "Ada lives in Paris" }]);
      const before = await store.exportJsonl();
      await checkRejects(
        () => store.apply({ namespace: { user: "line\nbreak" }, step: 3, operations: [] }),
        "invalid_request",
        "a bad namespace (a control character in an id)",
      );
      await checkRejects(
        () => store.apply({ namespace: {}, step: -1, operations: [] }),
        "invalid_request",
        "a negative step",
      );
      await checkRejects(
        () =>
          store.apply({ namespace: {}, step: 1, operations: [{ operationId: "late", operation: { type: "SKIP" } }] }),
        "step_order",
        "an older step",
      );
      const aborted = new AbortController();
      aborted.abort();
      await checkRejects(
        () =>
          store.apply(
            { namespace: {}, step: 3, operations: [{ operationId: "a", operation: { type: "SKIP" } }] },
            { signal: aborted.signal },
          ),
        "aborted",
        "an aborted call",
      );
      check((await store.exportJsonl()) === before, "the export is unchanged after refused requests");
    });
  });

  // --- reason codes -------------------------------------------------------------------------
  for (const layout of LAYOUTS) {
    const scenarios = layout === "flat" ? FLAT_SCENARIOS : TYPED_SCENARIOS;
    add(
      "reason-codes",
      `${layout}: every reason code that can occur has a scenario; the others are documented`,
      async () => {
        const covered = new Set(scenarios.map((scenario) => scenario.reason));
        for (const reason of REJECTION_REASONS) {
          check(
            covered.has(reason) !== reason in IMPOSSIBLE_REASONS[layout],
            `${layout}: ${reason} must be either provoked or documented as impossible, not both`,
          );
        }
      },
    );
    for (const scenario of scenarios) {
      add("reason-codes", `${layout}: ${scenario.reason} (${scenario.name}) changes nothing`, () =>
        runScenario(harness, layout, scenario),
      );
    }
  }

  // --- provenance ---------------------------------------------------------------------------
  for (const layout of LAYOUTS) {
    add("provenance", `${layout}: φ after INSERT (1) → UPDATE (3) → UPDATE (5), then DELETE (7)`, async () => {
      await withStore({ layout }, async (store) => {
        const type = layout === "typed" ? { memoryType: "semantic" as const } : {};
        await applyOps(store, 1, [{ type: "INSERT", content: "Ada lives in Paris", ...type }]);
        await applyOps(store, 3, [{ type: "UPDATE", id: "m1", content: "Ada lives in Rome", ...type }]);
        await applyOps(store, 5, [{ type: "UPDATE", id: "m1", content: "Ada lives in Oslo", ...type }]);
        checkEqual(await store.provenance(DEFAULT_NAMESPACE, "m1", "last-writer"), { 5: 1 }, "last writer");
        checkEqual(await store.provenance(DEFAULT_NAMESPACE, "m1", "creator"), { 1: 1 }, "creator");
        checkEqual(
          await store.provenance(DEFAULT_NAMESPACE, "m1", "shared"),
          { 1: 1 / 3, 3: 1 / 3, 5: 1 / 3 },
          "shared",
        );
        check(
          (await store.search(DEFAULT_NAMESPACE, "Ada Oslo")).some((hit) => hit.item.id === "m1"),
          "the item is retrievable before DELETE",
        );

        await applyOps(store, 7, [{ type: "DELETE", id: "m1" }]);
        check((await store.search(DEFAULT_NAMESPACE, "Ada Oslo")).length === 0, "a deleted item is never retrieved");
        // Documented: the tombstone wrote no content, so φ stays over the content versions.
        checkEqual(
          await store.provenance(DEFAULT_NAMESPACE, "m1", "last-writer"),
          { 5: 1 },
          "last writer after DELETE",
        );
        checkEqual(await store.provenance(DEFAULT_NAMESPACE, "m1", "creator"), { 1: 1 }, "creator after DELETE");
        checkEqual(
          await store.provenance(DEFAULT_NAMESPACE, "m1", "shared"),
          { 1: 1 / 3, 3: 1 / 3, 5: 1 / 3 },
          "shared after DELETE",
        );
        checkEqual(await store.provenance(DEFAULT_NAMESPACE, "m9", "shared"), {}, "φ of an unknown id");
        checkEqual(await store.provenance({ user: "someone-else" }, "m1", "last-writer"), {}, "φ in another namespace");
      });
    });
  }

  add("provenance", "shared φ gives a step one share per version it wrote", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      await applyOps(store, 1, [{ type: "INSERT", content: "a b" }]);
      await applyOps(store, 2, [
        { type: "UPDATE", id: "m1", content: "a c" },
        { type: "UPDATE", id: "m1", content: "a d" },
      ]);
      checkEqual(
        await store.provenance(DEFAULT_NAMESPACE, "m1", "shared"),
        { 1: 1 / 3, 2: 2 / 3 },
        "two versions in step 2",
      );
    });
  });

  // --- namespaces ---------------------------------------------------------------------------
  add("namespaces", "namespaces isolate items, ids, search, history and φ", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      const ada: Namespace = { user: "ada" };
      const bob: Namespace = { user: "bob", agent: "helper" };
      const onlyAgent: Namespace = { agent: "ada" };
      await store.apply({
        namespace: ada,
        step: 1,
        operations: [{ operationId: "a1", operation: { type: "INSERT", content: "likes green tea" } }],
      });
      await store.apply({
        namespace: bob,
        step: 4,
        operations: [{ operationId: "a1", operation: { type: "INSERT", content: "likes black coffee" } }],
      });
      const [insertIntoAgent] = await store.apply({
        namespace: onlyAgent,
        step: 1,
        operations: [{ operationId: "a1", operation: { type: "INSERT", content: "likes green tea" } }],
      });
      check(
        insertIntoAgent?.status === "applied",
        "the same content in another namespace is not a duplicate (user ada ≠ agent ada)",
      );
      checkEqual(
        (await store.view(ada)).items.map((item) => [item.id, item.content]),
        [["m1", "likes green tea"]],
        "ada's view",
      );
      checkEqual(
        (await store.view(bob)).items.map((item) => [item.id, item.content]),
        [["m1", "likes black coffee"]],
        "bob's view",
      );
      check(
        (await store.view(bob)).step === 4 && (await store.view(ada)).step === 1,
        "each namespace keeps its own step",
      );
      checkEqual(
        (await store.search(ada, "coffee")).map((hit) => hit.item.content),
        ["likes green tea"],
        "ada's search never sees bob's items",
      );
      checkEqual(
        (await store.history(bob, "m1")).map((version) => version.content),
        ["likes black coffee"],
        "history per namespace",
      );
      checkEqual(await store.provenance(bob, "m1", "last-writer"), { 4: 1 }, "φ per namespace");
      checkEqual((await store.view({ run: "never-used" })).items, [], "an unused namespace is empty");
      checkEqual(
        await store.namespaces(),
        [{ agent: "ada" }, { user: "ada" }, { user: "bob", agent: "helper" }].sort(compareNamespaces),
        "namespaces()",
      );
    });
  });

  add("namespaces", "deleteBySource removes exactly the items derived from a chunk", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      const ns: Namespace = { run: "r1" };
      await store.apply({
        namespace: ns,
        step: 1,
        sourceChunkId: "c1",
        operations: ids("s1", [
          { type: "INSERT", content: "Ada lives in Paris" },
          { type: "INSERT", content: "Bob plays chess" },
        ]),
      });
      await store.apply({
        namespace: ns,
        step: 2,
        sourceChunkId: "c2",
        operations: ids("s2", [
          { type: "INSERT", content: "Cy sings" },
          { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
        ]),
      });
      await store.apply({
        namespace: ns,
        step: 3,
        sourceChunkId: "c3",
        operations: ids("s3", [{ type: "UPDATE", id: "m2", content: "Bob plays go" }]),
      });

      const fork = await store.fork();
      const current = await fork.deleteBySource(ns, "c1", { step: 4, scope: "current-version" });
      checkEqual(current, [], "current-version: no current version came from c1");
      await fork.close();

      const results = await store.deleteBySource(ns, "c1", { step: 4 });
      checkEqual(
        results.map((result) => (result.status === "applied" ? result.itemId : result.reason)),
        ["m1", "m2"],
        "any-version: both items c1 wrote, though rewritten since",
      );
      checkEqual(
        (await store.view(ns)).items.map((item) => item.id),
        ["m3"],
        "only the item from c2 remains",
      );
      const tombstone = (await store.history(ns, "m1")).at(-1);
      check(
        tombstone?.tombstone === true && tombstone.step === 4 && tombstone.operationId.startsWith("forget."),
        `a tombstone at step 4: ${JSON.stringify(tombstone)}`,
      );
      checkEqual(await store.deleteBySource(ns, "c9", { step: 4 }), [], "an unknown chunk deletes nothing");
    });
  });

  // --- fork ---------------------------------------------------------------------------------
  add("fork", "forks start from the parent's state and never see each other's writes", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      await applyOps(store, 1, [
        { type: "INSERT", content: "Ada lives in Paris" },
        { type: "INSERT", content: "Bob plays chess" },
      ]);
      const before = await store.exportJsonl();
      const left = await store.fork();
      const right = await store.fork();
      await applyOps(left, 2, [
        { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
        { type: "INSERT", content: "Left only" },
      ]);
      await applyOps(right, 2, [
        { type: "DELETE", id: "m2" },
        { type: "INSERT", content: "Right only" },
      ]);
      check((await store.exportJsonl()) === before, "the parent is unchanged by its forks' writes");
      checkEqual(
        (await left.view(DEFAULT_NAMESPACE)).items.map((item) => [item.id, item.content]),
        [
          ["m1", "Ada lives in Rome"],
          ["m2", "Bob plays chess"],
          ["m3", "Left only"],
        ],
        "left fork",
      );
      checkEqual(
        (await right.view(DEFAULT_NAMESPACE)).items.map((item) => [item.id, item.content]),
        [
          ["m1", "Ada lives in Paris"],
          ["m3", "Right only"],
        ],
        "right fork",
      );
      checkEqual(
        (await right.search(DEFAULT_NAMESPACE, "left only")).map((hit) => hit.item.content).includes("Left only"),
        false,
        "a fork's index holds only its own writes",
      );

      await applyOps(store, 2, [{ type: "INSERT", content: "Parent later" }]);
      checkEqual((await left.view(DEFAULT_NAMESPACE)).items.length, 3, "the parent's later writes do not reach a fork");
      const grandchild = await left.fork();
      await applyOps(grandchild, 3, [{ type: "DELETE", id: "m1" }]);
      checkEqual(
        (await left.view(DEFAULT_NAMESPACE)).items.map((item) => item.id),
        ["m1", "m2", "m3"],
        "a fork of a fork is isolated too",
      );
      await left.close();
      checkEqual((await right.view(DEFAULT_NAMESPACE)).items.length, 2, "closing one fork leaves the others open");
      await right.close();
      await grandchild.close();
    });
  });

  // --- export -------------------------------------------------------------------------------
  for (const layout of LAYOUTS) {
    add("export", `${layout}: export → import into a new store → export is byte-identical`, async () => {
      await withStore({ layout }, async (store) => {
        await writeHistory(store, layout);
        const text = await store.exportJsonl();
        check(text === (await store.exportJsonl()), "two exports of one state are identical");
        await withStore({ layout }, async (copy) => {
          await copy.importJsonl(text);
          check((await copy.exportJsonl()) === text, "the imported store exports the same bytes");
          checkEqual(await copy.view({ user: "u1" }), await store.view({ user: "u1" }), "views equal after import");
          checkEqual(
            await copy.provenance({ user: "u1" }, "m1", "shared"),
            await store.provenance({ user: "u1" }, "m1", "shared"),
            "φ equal after import",
          );
          // The imported store continues where the original stopped (item numbering included).
          const [next] = await copy.apply({
            namespace: { user: "u1" },
            step: 9,
            operations: [
              {
                operationId: "after-import",
                operation:
                  layout === "typed"
                    ? { type: "INSERT", content: "brand new", memoryType: "semantic" }
                    : { type: "INSERT", content: "brand new" },
              },
            ],
          });
          const [nextOriginal] = await store.apply({
            namespace: { user: "u1" },
            step: 9,
            operations: [
              {
                operationId: "after-import",
                operation:
                  layout === "typed"
                    ? { type: "INSERT", content: "brand new", memoryType: "semantic" }
                    : { type: "INSERT", content: "brand new" },
              },
            ],
          });
          checkEqual(next, nextOriginal, "the next INSERT gets the same id in both");
        });
      });
    });
  }

  add("export", "bad imports give typed errors and leave the store unchanged", async () => {
    await withStore({ layout: "flat" }, async (store) => {
      await writeHistory(store, "flat");
      const text = await store.exportJsonl();
      const lines = text.trimEnd().split("\n");
      const header = JSON.parse(lines[0]!) as Record<string, unknown>;
      await withStore({ layout: "flat" }, async (target) => {
        const attempts: [string, string, string][] = [
          [
            "foreign_format",
            "another format",
            [JSON.stringify({ ...header, format: "mem0-dump" }), ...lines.slice(1)].join("\n"),
          ],
          [
            "newer_format",
            "a newer format version",
            [JSON.stringify({ ...header, formatVersion: 99 }), ...lines.slice(1)].join("\n"),
          ],
          [
            "invalid_record",
            "a line that is not JSON",
            [...lines.slice(0, 3), "{not json", ...lines.slice(3)].join("\n"),
          ],
          ["invalid_record", "an unknown record kind", [...lines, JSON.stringify({ record: "blob" })].join("\n")],
          [
            "inconsistent",
            "an edited item",
            lines
              .map((line) =>
                line.includes('"record":"item"')
                  ? line.replace('"content":"Ada lives in Oslo"', '"content":"Ada lives in Lima"')
                  : line,
              )
              .join("\n"),
          ],
          [
            "inconsistent",
            "a dropped operation",
            lines
              .filter((line) => !line.includes('"operationId":"u1-3-0"') || !line.includes('"record":"operation"'))
              .join("\n"),
          ],
          ["foreign_format", "an empty text", ""],
        ];
        for (const [code, what, attempt] of attempts) {
          check(attempt !== text, `the ${what} attempt differs from the export`);
          await checkRejects(() => target.importJsonl(attempt), code, `importing ${what}`);
          checkEqual(await target.namespaces(), [], `the target is still empty after importing ${what}`);
        }
        await target.importJsonl(text);
        await checkRejects(() => target.importJsonl(text), "not_empty", "importing into a store that holds memory");
        check((await target.exportJsonl()) === text, "the failed import did not touch the memory");
      });
      await withStore({ layout: "typed" }, async (typed) => {
        await checkRejects(() => typed.importJsonl(text), "layout_mismatch", "a flat export into a typed store");
      });
    });
  });

  add("export", "an import with `namespace` merges an export into a non-empty store under that namespace", async () => {
    const options: ConformanceStoreOptions = { layout: "flat", tokenCounter: createWhitespaceTokenCounter() };
    const ada = { user: "ada" };
    const bob = { user: "bob" };
    const carol = { user: "carol" };
    await withStore({ layout: "flat" }, async (source) => {
      const step = (number: number, operations: MemoryOperation[]) =>
        source.apply({
          namespace: ada,
          step: number,
          sourceChunkId: `c${number}`,
          operations: operations.map((operation, position) => ({ operationId: `a${number}-${position}`, operation })),
        });
      await step(1, [
        { type: "INSERT", content: "Ada lives in Paris" },
        { type: "INSERT", content: "Ada met Bob at the café" },
      ]);
      await step(2, [
        { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
        { type: "INSERT", content: "Ada plays chess" },
      ]);
      await step(3, [{ type: "DELETE", id: "m2" }]);
      const exported = await source.exportJsonl();

      const target = await harness.open(options);
      let reopened: MemoryBackend | undefined;
      try {
        await target.apply({
          namespace: bob,
          step: 1,
          operations: [{ operationId: "b1", operation: { type: "INSERT", content: "Bob lives in Lima" } }],
        });
        const bobExport = await target.exportJsonl();
        // Without the option the old rule holds: a store with memory refuses the import.
        await checkRejects(() => target.importJsonl(exported), "not_empty", "a plain import into a non-empty store");
        await target.importJsonl(exported, { namespace: carol });

        checkEqual(await target.namespaces(), [bob, carol], "bob and carol after the import");
        const carolView = await target.view(carol);
        checkEqual(
          carolView.items.map((item) => [item.id, item.content]),
          [
            ["m1", "Ada lives in Rome"],
            ["m3", "Ada plays chess"],
          ],
          "carol's items (ids stay per namespace: bob's m1 is another item)",
        );
        checkEqual(carolView, { ...(await source.view(ada)), namespace: carol }, "carol's view is ada's");
        checkEqual(carolView.step, 3, "carol's step");
        checkEqual(
          (await target.history(carol, "m1")).map((version) => [version.content, version.step, version.sourceChunkId]),
          [
            ["Ada lives in Paris", 1, "c1"],
            ["Ada lives in Rome", 2, "c2"],
          ],
          "carol's versions of m1",
        );
        for (const id of ["m1", "m2", "m3"])
          checkEqual(await target.history(carol, id), await source.history(ada, id), `carol's history of ${id}`);
        checkEqual(await target.provenance(carol, "m1", "last-writer"), { 2: 1 }, "last writer of carol's m1");
        checkEqual(await target.provenance(carol, "m1", "creator"), { 1: 1 }, "creator of carol's m1");
        checkEqual(
          await target.provenance(carol, "m3", "shared"),
          await source.provenance(ada, "m3", "shared"),
          "shared provenance of carol's m3",
        );
        checkEqual(
          (await target.view(bob)).items.map((item) => [item.id, item.content]),
          [["m1", "Bob lives in Lima"]],
          "bob untouched",
        );
        const expected =
          bobExport +
          exported
            .split("\n")
            .slice(1)
            .join("\n")
            .replaceAll('"namespace":{"user":"ada"}', '"namespace":{"user":"carol"}');
        const merged = await target.exportJsonl();
        check(
          merged === expected,
          `the export is bob's lines then ada's under carol (first difference at line ${firstDifferingLine(expected, merged)})`,
        );

        await checkRejects(
          () => target.importJsonl(exported, { namespace: carol }),
          "not_empty",
          "importing into carol again",
        );
        await checkRejects(
          () => target.importJsonl(bobExport, { namespace: bob }),
          "not_empty",
          "importing into bob, which holds items",
        );
        await checkRejects(
          () => target.importJsonl(merged, { namespace: { user: "dave" } }),
          "several_namespaces",
          "a namespaced import of an export with two namespaces",
        );
        check((await target.exportJsonl()) === merged, "the refused imports did not touch the memory");

        const [next] = await target.apply({
          namespace: carol,
          step: 4,
          operations: [{ operationId: "c4", operation: { type: "INSERT", content: "Carol reads" } }],
        });
        checkEqual(
          next,
          { operationId: "c4", status: "applied", itemId: "m4", version: 1 },
          "carol's item numbering continues ada's",
        );
        const after = await target.exportJsonl();
        reopened = await harness.reopen(target, options);
        check((await reopened.exportJsonl()) === after, "a reopened store holds the merged memory");
      } finally {
        // Reopening closes the store it reopens.
        await (reopened ?? target).close();
      }
    });
  });

  // --- lifecycle ----------------------------------------------------------------------------
  for (const layout of LAYOUTS) {
    add("lifecycle", `${layout}: close and reopen keeps every item, version, log entry and the index`, async () => {
      const options: ConformanceStoreOptions = { layout, tokenCounter: createWhitespaceTokenCounter() };
      const store = await harness.open(options);
      await writeHistory(store, layout);
      const text = await store.exportJsonl();
      const hits = await store.search({ user: "u1" }, "Ada lives where");
      const reopened = await harness.reopen(store, options);
      try {
        check((await reopened.exportJsonl()) === text, "the reopened store exports the same bytes");
        checkEqual(
          await reopened.search({ user: "u1" }, "Ada lives where"),
          hits,
          "the reopened store retrieves the same items",
        );
      } finally {
        await reopened.close();
      }
      await checkRejects(() => store.view({}), "store_closed", "a closed store refuses calls");
    });
  }

  // --- retrieval ----------------------------------------------------------------------------
  for (const layout of LAYOUTS) {
    add(
      "retrieval",
      `${layout}: BM25 results equal the in-memory backend's after inserts, updates and deletes`,
      async () => {
        await withStore({ layout }, async (store) => {
          const reference = createInMemoryStore({ layout, tokenCounter: createWhitespaceTokenCounter() });
          const random = createSeededRandom(`retrieval-${layout}`);
          const subjects = ["Ada", "Bob", "Cyrus", "Dana", "Émile", "Rogério", "北京"];
          const relations = ["lives in", "works for", "plays", "studied at", "was born in"];
          const objects = ["Paris", "Rome", "chess", "the bank", "Kyoto", "São Paulo", "football", "the the the"];
          let live: string[] = [];
          for (let step = 1; step <= 30; step++) {
            const operations: MemoryOperation[] = [];
            for (let count = 1 + random.int(4); count > 0; count--) {
              const content = `${subjects[random.int(subjects.length)]} ${relations[random.int(relations.length)]} ${objects[random.int(objects.length)]} ${step}`;
              const memoryType = random.next() < 0.5 ? "semantic" : "episodic";
              const choice = random.next();
              if (live.length > 0 && choice < 0.25)
                operations.push({ type: "UPDATE", id: live[random.int(live.length)]!, content });
              else if (live.length > 0 && choice < 0.4)
                operations.push({ type: "DELETE", id: live[random.int(live.length)]! });
              else
                operations.push(
                  layout === "typed" ? { type: "INSERT", content, memoryType } : { type: "INSERT", content },
                );
            }
            const expected = await applyOps(reference, step, operations);
            const actual = await applyOps(store, step, operations);
            checkEqual(actual, expected, `results of step ${step}`);
            live = (await reference.view(DEFAULT_NAMESPACE)).items.map((item) => item.id);
          }
          const queries = [
            "Where does Ada live?",
            "Who plays chess",
            "rogério são paulo",
            "the",
            "北京 was born",
            "nothing matches this",
            "?!",
          ];
          const optionSets =
            layout === "typed"
              ? [
                  { topK: 5 },
                  { topK: 3, perType: true, memoryTypes: ["semantic", "episodic"] as const },
                  { topK: 50, memoryTypes: ["episodic"] as const },
                ]
              : [{ topK: 5 }, { topK: 1 }, { topK: 100 }];
          for (const query of queries) {
            for (const options of optionSets) {
              const expected = await reference.search(DEFAULT_NAMESPACE, query, options);
              const actual = await store.search(DEFAULT_NAMESPACE, query, options);
              checkEqual(
                actual.map((hit) => [hit.item.id, hit.rank]),
                expected.map((hit) => [hit.item.id, hit.rank]),
                `ranking for "${query}" ${JSON.stringify(options)}`,
              );
              actual.forEach((hit, index) => {
                check(
                  Math.abs(hit.score - expected[index]!.score) <= 1e-9,
                  `score of ${hit.item.id} for "${query}": ${hit.score} vs ${expected[index]!.score}`,
                );
              });
            }
          }
          await reference.close();
        });
      },
    );
  }

  return cases;
}

async function runScenario(harness: ConformanceHarness, layout: MemoryLayout, scenario: ReasonScenario): Promise<void> {
  const store = await harness.open({ layout, tokenCounter: createWhitespaceTokenCounter(), ...scenario.store });
  try {
    const setup = await store.apply({
      namespace: DEFAULT_NAMESPACE,
      step: 1,
      sourceChunkId: "chunk-1",
      operations: scenario.setup.map((operation, index) => ({ operationId: `setup-${index}`, operation })),
    });
    check(
      setup.every((result) => result.status === "applied"),
      `setup applies: ${JSON.stringify(setup)}`,
    );
    const before = await store.exportJsonl();
    const viewBefore = await store.view(DEFAULT_NAMESPACE);
    const operationId = scenario.operationId ?? "rejected-op";
    const results = await store.apply({
      namespace: DEFAULT_NAMESPACE,
      step: 1,
      sourceChunkId: "chunk-1",
      operations: [{ operationId, operation: scenario.operation as MemoryOperation }],
    });
    check(results.length === 1, `one result per operation, got ${results.length}`);
    const [result] = results;
    check(result?.status === "rejected", `expected rejection ${scenario.reason}, got ${JSON.stringify(result)}`);
    check(
      result.reason === scenario.reason,
      `expected reason ${scenario.reason}, got ${result.reason}: ${result.message}`,
    );
    check(result.operationId === operationId, `the result names operation ${operationId}, got ${result.operationId}`);
    check(result.message.length > 0, "a rejection carries a message");
    const after = await store.exportJsonl();
    check(
      after === before,
      `the export changed after a rejected operation (first differing line ${firstDifferingLine(before, after)})`,
    );
    checkEqual(await store.view(DEFAULT_NAMESPACE), viewBefore, "the view changed after a rejected operation");
    // The namespace still accepts good work, and the rejected operation consumed no item id.
    const next = await store.apply({
      namespace: DEFAULT_NAMESPACE,
      step: 2,
      operations: [{ operationId: "after", operation: { type: "SKIP" } }],
    });
    check(next[0]?.status === "applied", "the store keeps working after a rejection");
  } finally {
    await store.close();
  }
}

function ids(prefix: string, operations: readonly MemoryOperation[]) {
  return operations.map((operation, index) => ({ operationId: `${prefix}-${index}`, operation }));
}

/** Applies operations as one step with ids `s<step>-<n>` (1-based) and source chunk `chunk-<step>`. */
async function applyOps(
  store: MemoryBackend,
  step: number,
  operations: readonly MemoryOperation[],
  namespace: Namespace = DEFAULT_NAMESPACE,
): Promise<readonly OperationResult[]> {
  return store.apply({
    namespace,
    step,
    sourceChunkId: `chunk-${step}`,
    operations: operations.map((operation, index) => ({ operationId: `s${step}-${index + 1}`, operation })),
  });
}

/** A history over two namespaces with every kind of operation, for export and reopen cases. */
async function writeHistory(store: MemoryBackend, layout: MemoryLayout): Promise<void> {
  const semantic = layout === "typed" ? { memoryType: "semantic" as const } : {};
  const episodic = layout === "typed" ? { memoryType: "episodic" as const, timestamp: "2024-05-01T10:00" } : {};
  const steps: MemoryOperation[][] = [
    [
      { type: "INSERT", content: "Ada lives in Paris", ...semantic },
      { type: "INSERT", content: "Ada met Bob at the café", ...episodic },
      { type: "SKIP" },
    ],
    [
      { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
      { type: "INSERT", content: "Bob plays chess", ...semantic },
      { type: "INSERT", content: "Ada lives in Rome", ...semantic },
    ],
    [
      { type: "UPDATE", id: "m1", content: "Ada lives in Oslo" },
      { type: "DELETE", id: "m3" },
      { type: "UPDATE", id: "m9", content: "rejected" },
    ],
  ];
  if (layout === "typed")
    steps[1]!.push({ type: "UPDATE", id: "core", content: "The user is Ada, who moves a lot.", memoryType: "core" });
  for (const [index, operations] of steps.entries()) {
    await store.apply({
      namespace: { user: "u1" },
      step: index + 1,
      sourceChunkId: `c${index + 1}`,
      operations: operations.map((operation, position) => ({ operationId: `u1-${index + 1}-${position}`, operation })),
    });
  }
  await store.apply({
    namespace: { user: "u2", run: "r-7" },
    step: 1,
    operations: [{ operationId: "u2-1", operation: { type: "INSERT", content: "Üma speaks Tamil", ...semantic } }],
  });
}

function compareNamespaces(a: Namespace, b: Namespace): number {
  return namespaceKey(a) < namespaceKey(b) ? -1 : namespaceKey(a) > namespaceKey(b) ? 1 : 0;
}
