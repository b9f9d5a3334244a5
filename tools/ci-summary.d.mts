export interface AllowedSkip {
  readonly workspace: string;
  readonly name: string;
  readonly reason: string;
}
export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  skips: { workspace: string; name: string; reason: string | null }[];
  problems: string[];
}
export function parseAllowedSkips(text: string): AllowedSkip[];
export function summarize(reports: { workspace: string; report: unknown }[], allowed: AllowedSkip[]): Summary;
/** `.test-results/run-started`, relative to the monorepo root: .ci/run writes it when it starts. */
export const RUN_STARTED_MARKER: string;
/** `.test-results/failed-phases`: .ci/run appends `<phase>\t<exit code>` for each failed phase. */
export const FAILED_PHASES_FILE: string;
export interface WorkspacesSummary {
  /** `skipped:` and `problem:` lines, then the closing `N passed, N failed, N skipped`. */
  lines: string[];
  /** False when there is any problem (the exit code is then 1). */
  ok: boolean;
}
export function summarizeWorkspaces(root: string, options?: { runStartedAt?: number }): WorkspacesSummary;
