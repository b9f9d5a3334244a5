/**
 * Which revision each known dataset repo is read at (FINEMEM.md §5). A pinned commit makes results
 * reproducible; a repo with no known commit is read at `main`, with a warning, and every result
 * records the commit the hub reported.
 */
export const PINNED_REVISIONS: { readonly [repo: string]: string } = {
  "ai-hyz/MemoryAgentBench": "7ea066982b140a19337e17e60d45d4076e042faf",
};

/** The dataset repos this package knows how to load. */
export const KNOWN_DATASET_REPOS = [
  "ai-hyz/MemoryAgentBench",
  "YuWangX/Memalpha",
  "YuWangX/Memalpha-Memoryagentbench",
] as const;

export interface RevisionChoice {
  readonly revision: string;
  /** Set when the revision is a moving ref rather than a commit. */
  readonly warning: string | null;
}

/** The revision to read `repo` at when the caller names none, and whether to warn. */
export function defaultRevision(repo: string): RevisionChoice {
  const pinned = PINNED_REVISIONS[repo];
  if (pinned !== undefined) return { revision: pinned, warning: null };
  return {
    revision: "main",
    warning: `${repo} has no pinned commit: reading branch main; results record the commit the hub reports`,
  };
}
