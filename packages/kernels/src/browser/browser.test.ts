// The package in a real browser (issue 19, acceptance 4): the core is bundled for the browser with
// esbuild (which fails on any Node import), loaded into headless Chromium from a file:// page (a secure
// context, so navigator.gpu exists), and runs the CPU backend's conformance suite and a gradient (both
// required); the WebGPU backend runs too when the page gets an adapter (`--enable-unsafe-webgpu`: on a
// machine without a GPU, Chromium offers SwiftShader's fallback adapter), and the test logs which.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { checkService, chromiumPath, probeChromium } from "@finemem/testing";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import type { BrowserResults } from "./browser-entry.js";

const available = await checkService("chromium", () => probeChromium());

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--enable-unsafe-webgpu",
];

const folder = mkdtempSync(join(tmpdir(), "finemem-kernels-browser-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.skipIf(!available.available)("@finemem/kernels in headless Chromium", () => {
  it("bundles for the browser without Node built-ins", async () => {
    const result = await build({
      entryPoints: [join(import.meta.dirname, "browser-entry.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      outfile: "kernels.js",
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    // Inline: Chromium refuses module scripts from file:// URLs (CORS), and a file:// page is what makes
    // a secure context (navigator.gpu) without a server.
    const bundle = result.outputFiles[0]!.text.replaceAll("</script", "<\\/script");
    writeFileSync(
      join(folder, "index.html"),
      `<!doctype html><meta charset="utf-8"><script type="module">${bundle}</script>`,
    );
  });

  it("runs the CPU backend (conformance and gradients), and WebGPU when the page has an adapter", async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(pathToFileURL(join(folder, "index.html")).href);
      await page.waitForFunction(() => "finememKernelResults" in globalThis, undefined, { timeout: 30_000 });
      const results = (await page.evaluate(
        () => (globalThis as { finememKernelResults?: Promise<unknown> }).finememKernelResults,
      )) as BrowserResults;
      expect(errors).toEqual([]);
      console.log(`browser: ${results.userAgent}`);
      console.log(`webgpu adapter in the page: ${results.adapter}`);
      console.log(`cpu backend: ${results.cpu.cases} conformance cases, ${results.cpu.failed.length} failed`);
      expect(results.cpu.backend).toBe("cpu");
      expect(results.cpu.cases).toBeGreaterThan(150);
      expect(results.cpu.failed).toEqual([]);
      // The same gradient on the WebAssembly backend and on the TypeScript reference (both f32).
      expect(results.cpu.gradient.length).toBe(10);
      for (const [index, value] of results.reference.gradient.entries()) {
        expect(Math.abs(results.cpu.gradient[index]! - value)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(value)));
      }
      if ("skipped" in results.webgpu) {
        console.log(`webgpu backend in the browser: skipped (${results.webgpu.skipped})`);
      } else {
        console.log(
          `webgpu backend in the browser: ${results.webgpu.cases} conformance cases, ${results.webgpu.failed.length} failed`,
        );
        expect(results.webgpu.failed).toEqual([]);
        for (const [index, value] of results.reference.gradient.entries()) {
          expect(Math.abs(results.webgpu.gradient[index]! - value)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(value)));
        }
      }
    } finally {
      await browser.close();
    }
  }, 180_000);
});
