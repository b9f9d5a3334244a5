/**
 * A local HTTP server answering the three hub endpoints `@huggingface/hub` uses to put a
 * model repository into the cache, for one repository at one commit:
 *
 * - `GET  /api/models/<repo>/revision/<rev>`  → model info with `sha` (modelInfo, to resolve a branch);
 * - `POST /api/models/<repo>/paths-info/<rev>` → `[{ type, path, oid, size, lfs?, lastCommit }]`;
 * - `GET  /<repo>/resolve/<rev>/<path>`       → the bytes, with `Range`, `ETag` and `X-Repo-Commit`.
 *
 * As on the real hub, each file's `lastCommit` is the commit that last touched that file, not the
 * revision's head, and `.onnx` files are LFS (etag = sha256). Every request is recorded.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeModelHubRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
}

export interface FakeModelHub {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly repo: string;
  /** The head commit of `main`. */
  readonly commit: string;
  readonly requests: FakeModelHubRequest[];
  close(): Promise<void>;
}

export async function startFakeModelHub(repo: string, files: ReadonlyMap<string, Uint8Array>): Promise<FakeModelHub> {
  const commit = sha1(`commit of ${repo}`);
  const requests: FakeModelHubRequest[] = [];
  const entries = new Map(
    [...files].map(([path, bytes]) => {
      const gitOid = sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]));
      const lfs = path.endsWith(".onnx")
        ? { oid: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, pointerSize: 134 }
        : undefined;
      return [path, { bytes, gitOid, lfs, lastCommit: sha1(`last commit touching ${path}`) }];
    }),
  );
  const knownRevision = (revision: string) => revision === "main" || revision === commit;

  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "" });
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });

  const notFound = (response: ServerResponse, errorCode: string, message: string) => {
    response.writeHead(404, { "Content-Type": "application/json", "X-Error-Code": errorCode });
    response.end(JSON.stringify({ error: message }));
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = decodeURIComponent(url.pathname);
    const api = `/api/models/${repo}/`;
    if (path.startsWith(api)) {
      const [endpoint, ...rest] = path.slice(api.length).split("/");
      const revision = rest.join("/");
      if (!knownRevision(revision)) return notFound(response, "RevisionNotFound", `Invalid rev id: ${revision}`);
      if (endpoint === "revision" && request.method === "GET") {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(
          JSON.stringify({
            _id: "fake",
            id: repo,
            sha: commit,
            private: false,
            gated: false,
            downloads: 0,
            likes: 0,
            lastModified: "2025-01-01T00:00:00.000Z",
          }),
        );
        return;
      }
      if (endpoint === "paths-info" && request.method === "POST") {
        const body = JSON.parse(await readBody(request)) as { paths: string[] };
        const infos = body.paths.flatMap((file) => {
          const entry = entries.get(file);
          if (entry === undefined) return [];
          return [
            {
              type: "file",
              path: file,
              oid: entry.gitOid,
              size: entry.bytes.length,
              ...(entry.lfs === undefined ? {} : { lfs: entry.lfs }),
              lastCommit: { id: entry.lastCommit, title: `add ${file}`, date: "2025-01-01T00:00:00.000Z" },
            },
          ];
        });
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify(infos));
        return;
      }
      return notFound(response, "EntryNotFound", `no ${endpoint}`);
    }
    const resolve = `/${repo}/resolve/`;
    if (!path.startsWith(resolve)) return notFound(response, "RepoNotFound", "Repository not found");
    const [revision, ...fileParts] = path.slice(resolve.length).split("/");
    if (!knownRevision(revision!)) return notFound(response, "RevisionNotFound", `Invalid rev id: ${revision}`);
    const entry = entries.get(fileParts.join("/"));
    if (entry === undefined) return notFound(response, "EntryNotFound", "Entry not found");
    const headers = {
      ETag: `"${entry.lfs?.oid ?? entry.gitOid}"`,
      "X-Repo-Commit": commit,
      "Accept-Ranges": "bytes",
      "Content-Type": "application/octet-stream",
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    if (range !== null) {
      const start = Number(range[1]);
      const end = Math.min(range[2] === "" ? entry.bytes.length - 1 : Number(range[2]), entry.bytes.length - 1);
      const slice = entry.bytes.subarray(start, end + 1);
      response.writeHead(206, {
        ...headers,
        "Content-Range": `bytes ${start}-${end}/${entry.bytes.length}`,
        "Content-Length": slice.length,
      });
      response.end(slice);
      return;
    }
    response.writeHead(200, { ...headers, "Content-Length": entry.bytes.length });
    response.end(entry.bytes);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    repo,
    commit,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A URL on which nothing listens (a port that was just free). */
export async function deadEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function sha1(data: string | Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
