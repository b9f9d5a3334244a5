import { describe, expect, it } from "vitest";
import type { MemoryBackend } from "../store/memory-backend.js";
import { type ConformanceHarness, inMemoryHarness, memoryBackendConformance } from "./index.js";

/** A backend that delegates to the in-memory one except for the methods it breaks. */
function brokenHarness(breakStore: (store: MemoryBackend) => Partial<MemoryBackend>): ConformanceHarness {
  const wrap = (inner: MemoryBackend): MemoryBackend => {
    const overrides = breakStore(inner);
    return new Proxy(inner, {
      get(target, property, receiver) {
        if (property in overrides) return overrides[property as keyof MemoryBackend];
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  return {
    open: async (options) => wrap(await inMemoryHarness.open(options)),
    reopen: async (store, options) => wrap(await inMemoryHarness.reopen(store, options)),
  };
}

async function failingCases(harness: ConformanceHarness): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (const conformanceCase of memoryBackendConformance(harness)) {
    try {
      await conformanceCase.run();
    } catch (error) {
      failures.set(`${conformanceCase.group}: ${conformanceCase.name}`, (error as Error).message);
    }
  }
  return failures;
}

describe("the conformance suite catches broken backends", () => {
  it("a backend that reports duplicate inserts under the wrong reason", async () => {
    const failures = await failingCases(
      brokenHarness((store) => ({
        apply: async (request, options) =>
          (await store.apply(request, options)).map((result) =>
            result.status === "rejected" && result.reason === "duplicate_insert"
              ? { ...result, reason: "invalid_operation" as const }
              : result,
          ),
      })),
    );
    expect([...failures.keys()].filter((name) => name.includes("duplicate_insert"))).toHaveLength(2);
    // The retrieval case compares every step's results with the reference store, so it notices too.
    expect(
      failures.has("retrieval: flat: BM25 results equal the in-memory backend's after inserts, updates and deletes"),
    ).toBe(true);
  });

  it("a backend whose forks share state with their parent", async () => {
    const failures = await failingCases(brokenHarness((store) => ({ fork: async () => store })));
    expect([...failures.keys()]).toContain(
      "fork: forks start from the parent's state and never see each other's writes",
    );
  });

  it("a backend that logs rejected operations (its export changes after a rejection)", async () => {
    const failures = await failingCases(
      brokenHarness((store) => ({
        apply: async (request, options) => {
          const results = await store.apply(request, options);
          for (const result of results) {
            if (result.status === "rejected" && result.operationId !== "invalid") {
              await store.apply({
                namespace: request.namespace,
                step: request.step,
                operations: [{ operationId: `log-${result.operationId}`, operation: { type: "SKIP" } }],
              });
            }
          }
          return results;
        },
      })),
    );
    const reasonCases = [...failures.keys()].filter((name) => name.startsWith("reason-codes:"));
    expect(reasonCases.length).toBeGreaterThan(30);
    expect(failures.get("reason-codes: flat: unknown_id (UPDATE of an id never written) changes nothing")).toMatch(
      /export changed/,
    );
  });

  it("a backend that breaks BM25 ties by later insertion", async () => {
    const failures = await failingCases(
      brokenHarness((store) => ({
        search: async (namespace, query, options, callOptions) => {
          const hits = [...(await store.search(namespace, query, options, callOptions))];
          // Reverse every run of equal scores.
          const out: typeof hits = [];
          for (let start = 0; start < hits.length; ) {
            let end = start;
            while (end < hits.length && hits[end]!.score === hits[start]!.score) end += 1;
            out.push(
              ...hits
                .slice(start, end)
                .reverse()
                .map((hit, offset) => ({ ...hit, rank: hits[start + offset]!.rank })),
            );
            start = end;
          }
          return out;
        },
      })),
    );
    expect([...failures.keys()].some((name) => name.startsWith("retrieval:"))).toBe(true);
  });

  it("a backend whose φ under `creator` is the last writer", async () => {
    const failures = await failingCases(
      brokenHarness((store) => ({
        provenance: async (namespace, itemId, policy, options) =>
          store.provenance(namespace, itemId, policy === "creator" ? "last-writer" : policy, options),
      })),
    );
    expect([...failures.keys()].filter((name) => name.startsWith("provenance:"))).toHaveLength(2);
  });

  it("a backend that loses its data on reopen", async () => {
    const failures = await failingCases({
      ...inMemoryHarness,
      reopen: async (store, options) => {
        await store.close();
        return inMemoryHarness.open(options);
      },
    });
    expect([...failures.keys()].filter((name) => name.startsWith("lifecycle:"))).toHaveLength(2);
  });
});
