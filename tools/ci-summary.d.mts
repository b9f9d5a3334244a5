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
