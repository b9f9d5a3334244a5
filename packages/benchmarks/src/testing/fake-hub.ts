import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One dataset repo the fake hub serves. */
export interface FakeHubRepo {
  /** The commit every file is served at. */
  readonly commit: string;
  /** Branch or tag names that resolve to `commit` (e.g. `main`). */
  readonly refs?: readonly string[];
  /** Path inside the repo → bytes. */
  readonly files: { readonly [path: string]: Uint8Array };
}

export interface FakeHubOptions {
  /** `owner/name` → repo. */
  readonly repos: { readonly [repo: string]: FakeHubRepo };
  /** Serve bytes that do not match the announced sha256 (to test integrity checks). */
  readonly corruptBytes?: boolean;
}

/** A request the fake hub received, for counting. */
export interface FakeHubRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | null;
}

export interface FakeHub {
  /** Pass as `hubUrl`. */
  readonly url: string;
  readonly requests: FakeHubRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP server that speaks the parts of the Hugging Face hub API that dataset downloads use:
 * the revision endpoint (branch → commit), the tree listing, paths-info, and `resolve`, which answers
 * the client's `Range: bytes=0-0` probe with a redirect to a second URL that serves the bytes with
 * range support, as the real hub redirects to its CDN. It records every request so tests can count
 * them (a cached load must make none).
 */
export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const requests: FakeHubRequest[] = [];
  const blobs = new Map<string, Uint8Array>();
  const digests = new Map<Uint8Array, string>();
  for (const repo of Object.values(options.repos)) {
    for (const bytes of Object.values(repo.files)) {
      const digest = createHash("sha256").update(bytes).digest("hex");
      digests.set(bytes, digest);
      blobs.set(digest, bytes);
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    requests.push({
      method: request.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      range: request.headers.range ?? null,
    });
    readBody(request)
      .then((body) => route(request.method ?? "GET", url, body, request, response))
      .catch((error: unknown) => json(response, 500, { error: String(error) }));
  });

  const resolveRevision = (repo: FakeHubRepo, revision: string): boolean =>
    revision === repo.commit || (repo.refs ?? []).includes(revision);

  function route(method: string, url: URL, body: string, request: IncomingMessage, response: ServerResponse): void {
    const path = decodeURIComponent(url.pathname);
    const revisionRoute = /^\/api\/datasets\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(path);
    if (revisionRoute) {
      const repo = options.repos[revisionRoute[1]!];
      if (repo === undefined) return void notFound(response, "RepoNotFound", "Repository not found");
      if (!resolveRevision(repo, revisionRoute[2]!))
        return void notFound(response, "RevisionNotFound", "Revision Not Found");
      return void json(response, 200, {
        _id: "fake",
        id: revisionRoute[1],
        sha: repo.commit,
        private: false,
        downloads: 0,
        likes: 0,
        gated: false,
        lastModified: "2025-01-01T00:00:00.000Z",
      });
    }
    const treeRoute = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/([^/]+)\/?(.*)$/.exec(path);
    if (treeRoute) {
      const repo = options.repos[treeRoute[1]!];
      if (repo === undefined) return void notFound(response, "RepoNotFound", "Repository not found");
      if (!resolveRevision(repo, treeRoute[2]!))
        return void notFound(response, "RevisionNotFound", "Invalid rev id: revision not found");
      const folder = treeRoute[3] ?? "";
      const prefix = folder === "" ? "" : `${folder}/`;
      const entries = new Map<string, object>();
      for (const [filePath, bytes] of Object.entries(repo.files)) {
        if (!filePath.startsWith(prefix)) continue;
        const rest = filePath.slice(prefix.length);
        const slash = rest.indexOf("/");
        if (slash === -1) entries.set(filePath, fileEntry(filePath, bytes, digests.get(bytes)!));
        else
          entries.set(prefix + rest.slice(0, slash), {
            type: "directory",
            oid: fakeOid(prefix + rest.slice(0, slash)),
            size: 0,
            path: prefix + rest.slice(0, slash),
          });
      }
      if (entries.size === 0 && folder !== "")
        return void notFound(response, "EntryNotFound", `${folder} does not exist`);
      return void json(response, 200, [...entries.values()]);
    }
    const pathsInfoRoute =
      method === "POST" ? /^\/api\/datasets\/([^/]+\/[^/]+)\/paths-info\/([^/]+)$/.exec(path) : null;
    if (pathsInfoRoute) {
      const repo = options.repos[pathsInfoRoute[1]!];
      if (repo === undefined) return void notFound(response, "RepoNotFound", "Repository not found");
      if (!resolveRevision(repo, pathsInfoRoute[2]!))
        return void notFound(response, "RevisionNotFound", "Revision Not Found");
      const { paths = [] } = JSON.parse(body === "" ? "{}" : body) as { paths?: string[] };
      const found = paths.flatMap((filePath) => {
        const bytes = repo.files[filePath];
        if (bytes === undefined) return [];
        return [
          {
            ...fileEntry(filePath, bytes, digests.get(bytes)!),
            lastCommit: { id: repo.commit, title: "fake commit", date: "2025-01-01T00:00:00.000Z" },
            securityFileStatus: { status: "safe" },
          },
        ];
      });
      return void json(response, 200, found);
    }
    const resolveRoute = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (resolveRoute) {
      const repo = options.repos[resolveRoute[1]!];
      if (repo === undefined) return void notFound(response, "RepoNotFound", "Repository not found");
      if (!resolveRevision(repo, resolveRoute[2]!))
        return void notFound(response, "RevisionNotFound", "Revision Not Found");
      const bytes = repo.files[resolveRoute[3]!];
      if (bytes === undefined) return void notFound(response, "EntryNotFound", "Entry not found");
      const digest = digests.get(bytes)!;
      response.writeHead(302, {
        Location: `/cdn/${digest}`,
        "X-Repo-Commit": repo.commit,
        "X-Linked-ETag": `"${digest}"`,
        "X-Linked-Size": String(bytes.length),
        ETag: `"${fakeOid(resolveRoute[3]!)}"`,
      });
      return void response.end();
    }
    const cdnRoute = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (cdnRoute) {
      const original = blobs.get(cdnRoute[1]!);
      if (original === undefined) return void notFound(response, "EntryNotFound", "blob not found");
      const bytes = options.corruptBytes === true ? corrupt(original) : original;
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
      if (range !== null) {
        const start = Number(range[1]);
        const end = range[2] === "" ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1);
        response.writeHead(206, {
          "Content-Range": `bytes ${start}-${end}/${bytes.length}`,
          "Content-Length": String(end - start + 1),
          ETag: `"${cdnRoute[1]}"`,
          "Content-Type": "application/octet-stream",
        });
        return void response.end(bytes.subarray(start, end + 1));
      }
      response.writeHead(200, {
        "Content-Length": String(bytes.length),
        ETag: `"${cdnRoute[1]}"`,
        "Content-Type": "application/octet-stream",
      });
      return void response.end(bytes);
    }
    notFound(response, "NotFound", `no route for ${method} ${path}`);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function fileEntry(path: string, bytes: Uint8Array, digest: string) {
  return {
    type: "file",
    oid: fakeOid(path),
    size: bytes.length,
    path,
    lfs: { oid: digest, size: bytes.length, pointerSize: 134 },
  };
}

// The git blob id of the LFS pointer; any stable 40-hex value serves the client.
function fakeOid(path: string): string {
  return createHash("sha1").update(path).digest("hex");
}

function corrupt(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  const middle = Math.floor(copy.length / 2);
  copy[middle] = (copy[middle] ?? 0) ^ 0xff;
  return copy;
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(value));
}

function notFound(response: ServerResponse, code: string, message: string): void {
  response.writeHead(404, { "Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message });
  response.end(JSON.stringify({ error: message }));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (data += chunk));
    request.on("end", () => resolve(data));
    request.on("error", reject);
  });
}
