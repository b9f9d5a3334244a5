import type { Namespace } from "@finemem/spec";

/**
 * A stable string key for a namespace. The three parts are kept apart (a user "a" with no agent is not
 * an agent "a" with no user), and `{}` is the default namespace.
 */
export function namespaceKey(namespace: Namespace): string {
  return JSON.stringify([namespace.user ?? null, namespace.agent ?? null, namespace.run ?? null]);
}

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
