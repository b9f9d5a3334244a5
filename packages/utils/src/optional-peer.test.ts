import { FineMemError } from "@finemem/spec";
import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { importOptionalPeer, OptionalPeerError, type OptionalPeerFailure } from "./optional-peer.js";

const notFound = (specifier: string, code = "ERR_MODULE_NOT_FOUND") =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from /x.js`), { code });

describe("importOptionalPeer", () => {
  it("returns the module", async () => {
    await expect(importOptionalPeer("node:path", "@finemem/x", () => import("node:path"))).resolves.toHaveProperty(
      "join",
    );
  });

  it("a package that is not installed is missing_dependency, naming it, the entry that needs it and the install command", async () => {
    for (const code of ["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]) {
      const error = await rejection(
        importOptionalPeer("@scope/peer", "@finemem/x/entry", () => Promise.reject(notFound("@scope/peer", code))),
      );
      expect(error).toBeInstanceOf(OptionalPeerError);
      expect(error).toBeInstanceOf(FineMemError);
      expect(error).toMatchObject({
        code: "missing_dependency",
        message:
          "@scope/peer is not installed; it is an optional peer dependency of @finemem/x/entry (npm install @scope/peer)",
      });
    }
  });

  it("a package that fails to initialise, or misses a module of its own, is load_failed", async () => {
    const broken = await rejection(
      importOptionalPeer("@scope/peer", "@finemem/x", () => Promise.reject(new Error("bad ELF header"))),
    );
    expect(broken).toMatchObject({ code: "load_failed", message: "@scope/peer could not be loaded: bad ELF header" });
    const inner = await rejection(
      importOptionalPeer("@scope/peer", "@finemem/x", () => Promise.reject(notFound("onnxruntime-node"))),
    );
    expect(inner).toMatchObject({ code: "load_failed" });
    const odd = await rejection(importOptionalPeer("@scope/peer", "@finemem/x", () => Promise.reject("a string")));
    expect(odd).toMatchObject({ code: "load_failed", message: "@scope/peer could not be loaded: a string" });
  });

  it("hands the failure to the caller's factory, so the caller keeps its own error class", async () => {
    class MyError extends Error {}
    const cause = notFound("@scope/peer");
    const seen: OptionalPeerFailure[] = [];
    const error = await rejection(
      importOptionalPeer(
        "@scope/peer",
        "@finemem/x",
        () => Promise.reject(cause),
        (failure) => {
          seen.push(failure);
          return new MyError(failure.message);
        },
      ),
    );
    expect(error).toBeInstanceOf(MyError);
    expect(seen).toEqual([
      {
        code: "missing_dependency",
        message: expect.stringContaining("npm install @scope/peer"),
        packageName: "@scope/peer",
        requiredBy: "@finemem/x",
        cause,
      },
    ]);
  });
});
