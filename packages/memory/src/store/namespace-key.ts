import type { Namespace } from "@finemem/spec";

/**
 * A stable string key for a namespace. The three parts are kept apart (a user "a" with no agent is not
 * an agent "a" with no user), and `{}` is the default namespace.
 */
export function namespaceKey(namespace: Namespace): string {
  const { user, agent, run } = namespace;
  // Most calls ask about the namespace the previous call did (a run applies step after step to one
  // namespace): its parts are compared rather than stringified again.
  if (user === lastUser && agent === lastAgent && run === lastRun && lastKey !== undefined) return lastKey;
  const key = JSON.stringify([user ?? null, agent ?? null, run ?? null]);
  const remember = isPart(user) && isPart(agent) && isPart(run);
  lastUser = user;
  lastAgent = agent;
  lastRun = run;
  lastKey = remember ? key : undefined;
  return key;
}

// The last namespace's parts and key (only strings or undefined are remembered: anything else a caller
// passes is stringified anew each time).
let lastUser: unknown;
let lastAgent: unknown;
let lastRun: unknown;
let lastKey: string | undefined;

const isPart = (part: unknown): boolean => part === undefined || typeof part === "string";

/** The namespace a {@link namespaceKey} was made from. */
export function namespaceFromKey(key: string): Namespace {
  const [user, agent, run] = JSON.parse(key) as [string | null, string | null, string | null];
  return {
    ...(user === null ? {} : { user }),
    ...(agent === null ? {} : { agent }),
    ...(run === null ? {} : { run }),
  };
}

/** A copy holding only the parts that are set, in a fixed key order (for exports and views). */
export function canonicalNamespace(namespace: Namespace): Namespace {
  return {
    ...(namespace.user === undefined ? {} : { user: namespace.user }),
    ...(namespace.agent === undefined ? {} : { agent: namespace.agent }),
    ...(namespace.run === undefined ? {} : { run: namespace.run }),
  };
}
