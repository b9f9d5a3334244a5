import { describe, expect, it } from "vitest";
import type { KernelBackend } from "../backend.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { kernelErrorCode } from "../test-support/kernel-error-code.js";
import { runBackendConformance } from "../testing/backend-conformance.js";
import { createCpuBackend } from "./cpu-backend.js";

/** The first index where the arrays differ, or -1 (toEqual on 65,536-element typed arrays is slow). */
function firstDifference(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (got.length !== expected.length) return Math.min(got.length, expected.length);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) return i;
  return -1;
}

describe("createCpuBackend", () => {
  it("passes the conformance suite, large cases included", { timeout: 600_000 }, async () => {
    const backend = await createCpuBackend();
    try {
      const results = await runBackendConformance(backend, { large: true });
      expect(results.length).toBeGreaterThan(150);
      const byKernel = new Map<string, { cases: number; worst: number; worstName: string }>();
      for (const result of results) {
        const entry = byKernel.get(result.kernel) ?? { cases: 0, worst: 0, worstName: "" };
        entry.cases++;
        if (result.worstRatio > entry.worst || entry.worstName === "") {
          entry.worst = result.worstRatio;
          entry.worstName = result.name;
        }
        byKernel.set(result.kernel, entry);
      }
      const lines = [...byKernel].map(
        ([kernel, { cases, worst, worstName }]) =>
          `  ${kernel}: ${cases} cases, ${worst === 0 ? "all identical to the reference" : `worst |got − ref| / tolerance ${worst.toFixed(4)} (${worstName})`}`,
      );
      console.log(`cpu backend conformance, ${results.length} cases:\n${lines.join("\n")}`);
      expect(results.filter((result) => !result.passed)).toEqual([]);
    } finally {
      backend.dispose();
    }
  });

  it("is named cpu and computes in float32", async () => {
    const backend = await createCpuBackend();
    expect(backend.name).toBe("cpu");
    expect(backend.floatType).toBe("float32");
    const read = await backend.read(backend.upload([0.1]));
    expect(read).toBeInstanceOf(Float32Array);
    expect(read[0]).toBe(Math.fround(0.1));
    backend.dispose();
  });

  describe("matmul, worked by hand", () => {
    // op(A) = [[1, 2, 3], [4, 5, 6]] (2×3), op(B) = [[7, 8], [9, 10], [11, 12]] (3×2):
    // row 0: [1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12] = [58, 64]
    // row 1: [4·7 + 5·9 + 6·11, 4·8 + 5·10 + 6·12] = [139, 154]
    const expected = [58, 64, 139, 154];
    const aRowMajor = [1, 2, 3, 4, 5, 6]; // stored 2×3
    const aTransposed = [1, 4, 2, 5, 3, 6]; // stored 3×2 (the transpose of op(A))
    const bRowMajor = [7, 8, 9, 10, 11, 12]; // stored 3×2
    const bTransposed = [7, 9, 11, 8, 10, 12]; // stored 2×3
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
          const backend = await createCpuBackend();
          const a = backend.upload(transposeA ? aTransposed : aRowMajor);
          const b = backend.upload(transposeB ? bTransposed : bRowMajor);
          // out starts non-zero: matmul overwrites, it does not accumulate.
          const out = backend.upload([-1, -1, -1, -1]);
          backend.run({ kind: "matmul", a, b, out, m: 2, k: 3, n: 2, transposeA, transposeB });
          expect([...(await backend.read(out))]).toEqual(expected);
          backend.dispose();
        });
      }
    }

    it("k = 0 gives zeros, and m = 0 touches nothing", async () => {
      const backend = await createCpuBackend();
      const empty = backend.allocate(0);
      const out = backend.upload([5, 5, 5, 5, 5, 5]);
      backend.run({ kind: "matmul", a: empty, b: empty, out, m: 2, k: 0, n: 3, transposeA: false, transposeB: false });
      expect([...(await backend.read(out))]).toEqual([0, 0, 0, 0, 0, 0]);
      const kept = backend.upload([5]);
      backend.run({
        kind: "matmul",
        a: empty,
        b: backend.upload([1, 2]),
        out: kept,
        m: 0,
        k: 1,
        n: 2,
        transposeA: false,
        transposeB: false,
      });
      expect([...(await backend.read(kept))]).toEqual([5]);
      backend.dispose();
    });

    it("sums past one k block (k = 600) and across column blocks (n = 300) exactly on small integers", async () => {
      // A = all ones (3×600), B[p, j] = 1 when p ≡ j (mod 300) else 0 (600×300): every out element counts
      // the p < 600 with p ≡ j (mod 300), which is 2. Integers this small are exact in f32.
      const backend = await createCpuBackend();
      const m = 3;
      const k = 600;
      const n = 300;
      const bData = new Float32Array(k * n);
      for (let p = 0; p < k; p++) bData[p * n + (p % n)] = 1;
      const out = backend.allocate(m * n);
      backend.run({
        kind: "matmul",
        a: backend.upload(new Float32Array(m * k).fill(1)),
        b: backend.upload(bData),
        out,
        m,
        k,
        n,
        transposeA: false,
        transposeB: false,
      });
      expect([...(await backend.read(out))]).toEqual(new Array(m * n).fill(2));
      backend.dispose();
    });

    it("rejects operands shorter than the shape (the kernel writes raw memory)", async () => {
      const backend = await createCpuBackend();
      const a = backend.upload([1, 2, 3, 4, 5, 6]);
      const b = backend.upload([1, 2, 3, 4, 5, 6]);
      const out = backend.allocate(3);
      expect(
        kernelErrorCode(() =>
          backend.run({ kind: "matmul", a, b, out, m: 2, k: 3, n: 2, transposeA: false, transposeB: false }),
        ),
      ).toBe("shape_mismatch");
      backend.dispose();
    });
  });

  describe("memory", () => {
    it("keeps every buffer's contents across memory growth, and reuses released space", async () => {
      // 1 MiB to start: the 64 buffers of 256 KiB below need 16 MiB, so the memory grows several times.
      const backend = await createCpuBackend({ initialMemoryMiB: 1 });
      const buffers = [];
      for (let i = 0; i < 64; i++) {
        const data = new Float32Array(65536);
        for (let j = 0; j < data.length; j += 997) data[j] = i * 100_000 + j;
        buffers.push({ buffer: backend.upload(data), data });
      }
      // Fill one more big buffer after everything else, forcing another growth.
      const big = backend.allocate(8 * 65536);
      expect((await backend.read(big)).every((v) => v === 0)).toBe(true);
      for (const { buffer, data } of buffers) expect(firstDifference(await backend.read(buffer), data)).toBe(-1);

      // Released space is handed out again, and a reused buffer starts at zero like any allocate.
      for (const { buffer } of buffers.slice(0, 32)) backend.release(buffer);
      const again = [];
      for (let i = 0; i < 32; i++) again.push(backend.allocate(65536));
      for (const buffer of again) expect((await backend.read(buffer)).every((v) => v === 0)).toBe(true);
      for (const { buffer, data } of buffers.slice(32))
        expect(firstDifference(await backend.read(buffer), data)).toBe(-1);
      backend.dispose();
    });

    it("keeps index buffers intact too, and reads return copies", async () => {
      const backend = await createCpuBackend({ initialMemoryMiB: 1 });
      const ids = backend.uploadIndices([3, -1, 2_000_000_000]);
      const values = backend.upload([1.5, 2.5]);
      const copy = await backend.read(values);
      copy[0] = 99;
      backend.allocate(4 << 20); // 16 MiB: grows the memory
      expect([...(await backend.readIndices(ids))]).toEqual([3, -1, 2_000_000_000]);
      expect([...(await backend.read(values))]).toEqual([1.5, 2.5]);
      backend.dispose();
    });
  });

  describe("errors", () => {
    it("a released buffer is `disposed` in every use, and releasing twice is a no-op", async () => {
      const backend = await createCpuBackend();
      const x = backend.upload([1, 2]);
      const out = backend.allocate(2);
      backend.release(x);
      backend.release(x);
      expect(
        kernelErrorCode(() => backend.run({ kind: "unary", fn: "relu", x, out, length: 2, alpha: 0, beta: 0 })),
      ).toBe("disposed");
      expect(
        kernelErrorCode(() =>
          backend.run({ kind: "matmul", a: x, b: x, out, m: 1, k: 1, n: 1, transposeA: false, transposeB: false }),
        ),
      ).toBe("disposed");
      await expect(backend.read(x)).rejects.toMatchObject({ code: "disposed" });
      backend.dispose();
    });

    it("a buffer of another backend, or of the wrong kind, is `inconsistent`", async () => {
      const backend = await createCpuBackend();
      const other = await createCpuBackend();
      const reference = createReferenceBackend();
      const mine = backend.upload([1]);
      const out = backend.allocate(1);
      for (const foreign of [other.upload([1]), reference.upload([1])]) {
        expect(
          kernelErrorCode(() =>
            backend.run({
              kind: "matmul",
              a: foreign,
              b: mine,
              out,
              m: 1,
              k: 1,
              n: 1,
              transposeA: false,
              transposeB: false,
            }),
          ),
        ).toBe("inconsistent");
        expect(kernelErrorCode(() => backend.run({ kind: "fill", out: foreign, value: 1, length: 1 }))).toBe(
          "inconsistent",
        );
      }
      const ids = backend.uploadIndices([0]);
      expect(kernelErrorCode(() => backend.run({ kind: "fill", out: ids, value: 1, length: 1 }))).toBe("inconsistent");
      await expect(backend.readIndices(mine)).rejects.toMatchObject({ code: "inconsistent" });
      backend.dispose();
      other.dispose();
      reference.dispose();
    });

    it("after dispose every call is `disposed`", async () => {
      const backend: KernelBackend = await createCpuBackend();
      const x = backend.upload([1]);
      backend.dispose();
      expect(kernelErrorCode(() => backend.allocate(1))).toBe("disposed");
      expect(kernelErrorCode(() => backend.upload([1]))).toBe("disposed");
      expect(kernelErrorCode(() => backend.run({ kind: "fill", out: x, value: 1, length: 1 }))).toBe("disposed");
      await expect(backend.read(x)).rejects.toMatchObject({ code: "disposed" });
      backend.release(x); // a no-op, like the reference backend
    });

    it("rejects a bad initialMemoryMiB and a bad length as `invalid_option`", async () => {
      await expect(createCpuBackend({ initialMemoryMiB: 0 })).rejects.toMatchObject({ code: "invalid_option" });
      await expect(createCpuBackend({ initialMemoryMiB: Number.NaN })).rejects.toMatchObject({
        code: "invalid_option",
      });
      const backend = await createCpuBackend();
      expect(kernelErrorCode(() => backend.allocate(-1))).toBe("invalid_option");
      expect(kernelErrorCode(() => backend.allocate(1.5))).toBe("invalid_option");
      backend.dispose();
    });
  });
});
