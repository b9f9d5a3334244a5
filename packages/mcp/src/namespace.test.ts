import { isNamespaceId } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { ENCODED_NAMESPACE_ID_PREFIX, encodeNamespaceId, namespaceOf } from "./namespace.js";

describe("namespace ids", () => {
  it("keeps ids the store accepts as they are", () => {
    expect(encodeNamespaceId("ada@example.com")).toBe("ada@example.com");
    expect(encodeNamespaceId("Zoë Ōtsuka + 1")).toBe("Zoë Ōtsuka + 1");
    expect(namespaceOf({ userId: "ada", agentId: "assistant", runId: "r1" })).toEqual({
      user: "ada",
      agent: "assistant",
      run: "r1",
    });
    expect(namespaceOf({ userId: "ada" })).toEqual({ user: "ada" });
  });

  it("encodes the others into distinct valid ids", () => {
    const long = "x".repeat(129);
    const encoded = [long, "line\nbreak", "nul\u0000", "\ud800", `${ENCODED_NAMESPACE_ID_PREFIX}abc`].map(
      encodeNamespaceId,
    );
    for (const id of encoded) {
      expect(id.startsWith(ENCODED_NAMESPACE_ID_PREFIX)).toBe(true);
      expect(isNamespaceId(id)).toBe(true);
    }
    expect(new Set(encoded).size).toBe(encoded.length);
    expect(encodeNamespaceId("\ud800")).not.toBe(encodeNamespaceId("\ud801"));
    expect(encodeNamespaceId(long)).toBe(encodeNamespaceId(long));
  });
});
