// The columns a candidate action is scored from, in named groups so that an ablation can remove one
// group at a time (its columns become 0 for every row, in training and in evaluation alike).

/** Feature groups: what each tells the network about a (fact, stored item) pair. */
export const FEATURE_GROUPS = ["names", "content", "overlap", "duplicate", "numbers", "age"] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

/** The pair columns (fact vs one candidate item), in order, each with its group. */
export const PAIR_FEATURES: readonly { readonly name: string; readonly group: FeatureGroup }[] = [
  { name: "names shared, of the fact's", group: "names" },
  { name: "names shared, of the item's", group: "names" },
  { name: "a full name (two adjacent names) shared", group: "names" },
  { name: "content words shared, of the fact's", group: "content" },
  { name: "content words shared, of the item's", group: "content" },
  { name: "idf-weighted share of the fact's words in the item", group: "overlap" },
  { name: "1 / (candidate rank + 1)", group: "overlap" },
  { name: "the same words in the same order", group: "duplicate" },
  { name: "Jaccard similarity of the word sets", group: "duplicate" },
  { name: "both hold numbers and they differ", group: "numbers" },
  { name: "steps since the item was written (1 − e^(−Δ/5))", group: "age" },
];

/**
 * Row layout: [SKIP, INSERT, UPDATE, DELETE one-hot | kind prior | pair columns (0 for SKIP / INSERT) |
 * context columns].
 */
export const ACTION_KINDS = ["SKIP", "INSERT", "UPDATE", "DELETE"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/**
 * The kind-prior column: −ln(candidates) on UPDATE and DELETE rows, 0 on SKIP and INSERT. Its weight
 * starts at 1, so the untrained policy is uniform over the four KINDS of action rather than over rows
 * (with three candidates, six of eight rows would be UPDATE or DELETE, and policy gradient, which
 * raises what it samples, would drift towards overwriting before the evidence reward could tell a
 * right UPDATE from a wrong one).
 */
export const KIND_PRIOR_COLUMN = ACTION_KINDS.length;

/** Context columns: the best of each pair column (age aside) over the fact's candidates, then two fact-level flags. */
export const CONTEXT_FEATURES: readonly { readonly name: string; readonly group: FeatureGroup | "fact" }[] = [
  ...PAIR_FEATURES.filter((feature) => feature.group !== "age").map((feature) => ({
    name: `best over candidates: ${feature.name}`,
    group: feature.group,
  })),
  { name: "the fact has candidates", group: "fact" },
  { name: "the fact names something", group: "fact" },
];

export const FEATURE_WIDTH = ACTION_KINDS.length + 1 + PAIR_FEATURES.length + CONTEXT_FEATURES.length;

/** 1 for kept columns, 0 for the columns of disabled groups. */
export function featureMask(disabled: ReadonlySet<FeatureGroup>): number[] {
  return [
    ...ACTION_KINDS.map(() => 1),
    1,
    ...PAIR_FEATURES.map((feature) => (disabled.has(feature.group) ? 0 : 1)),
    ...CONTEXT_FEATURES.map((feature) => (feature.group !== "fact" && disabled.has(feature.group) ? 0 : 1)),
  ];
}
