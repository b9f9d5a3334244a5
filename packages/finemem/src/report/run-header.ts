// The "Run" section both reports open with: a run's key facts, then what its manifest records (models,
// prompt hashes, dataset revisions, the effective configuration), so a reader can tell how a page's
// figures were produced. The facts differ per report (an eval run names its reasoner, a training run
// its policy from the configuration); the manifest tables are one rendering for both.
import type { RunManifest } from "@finemem/spec";
import { attributes, escapeHtml, NO_VALUE, textCell } from "./html.js";
import { section, table } from "./report-page.js";

export interface RunHeaderOptions {
  /**
   * Set the datasets' `file` column in monospace: a training run's held-out "file" is the synthetic
   * generator's options as JSON rather than a file name. Off by default (the eval report's look).
   */
  readonly monospaceFile?: boolean;
}

/** The `run` section: `facts` as key / value rows, then the manifest's tables and configuration. */
export function renderRunHeader(
  manifest: RunManifest,
  facts: readonly (readonly [key: string, value: string])[],
  options: RunHeaderOptions = {},
): string {
  const factRows = facts.map(
    ([key, value]) =>
      `<tr${attributes({ "data-key": key })}><th scope="row">${escapeHtml(key)}</th>${textCell("value", value)}</tr>`,
  );
  const models = Object.entries(manifest.models).map(
    ([role, model]) =>
      `<tr${attributes({ "data-key": role })}>${textCell("role", role)}${textCell("model", model)}</tr>`,
  );
  const prompts = Object.entries(manifest.promptHashes).map(
    ([prompt, hash]) =>
      `<tr${attributes({ "data-key": prompt })}>${textCell("prompt", prompt)}${textCell("hash", hash, { className: "mono" })}</tr>`,
  );
  const fileClass = options.monospaceFile === true ? { className: "mono" } : {};
  const datasets = manifest.datasets.map((source) => {
    // An unpinned revision cannot be reproduced: docs/method.md §16 asks for the warning with every result.
    const unpinned = source.revision.startsWith("unpinned:");
    return `<tr${attributes({ "data-key": `${source.repo}/${source.file}`, class: unpinned ? "warn" : undefined })}>${textCell("repo", source.repo)}${textCell("revision", unpinned ? `${source.revision} (unpinned)` : source.revision, { className: "mono" })}${textCell("file", source.file, fileClass)}${textCell("row", source.row === undefined ? NO_VALUE : String(source.row))}${textCell("sha256", source.sha256 ?? NO_VALUE, { className: "mono" })}</tr>`;
  });
  const config =
    manifest.config === undefined
      ? ""
      : `<details><summary>Effective configuration</summary><pre data-testid="config">${escapeHtml(JSON.stringify(manifest.config, null, 2))}</pre></details>`;
  return section("run", "Run", [
    table("run-facts", ["", ""], factRows, { headless: true }),
    "<h3>Models</h3>",
    table("models", ["role", "model"], models),
    "<h3>Prompt hashes</h3>",
    table("prompt-hashes", ["prompt", "hash"], prompts),
    "<h3>Datasets</h3>",
    table("datasets", ["repo", "revision", "file", "row", "sha256"], datasets),
    config,
  ]);
}
