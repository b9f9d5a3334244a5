import {
  type Id,
  identifiedOperationValidator,
  type MemoryItem,
  type MemoryItemVersion,
  type MemoryLayout,
  type MemoryOperation,
  memoryItemValidator,
  memoryItemVersionValidator,
  type Namespace,
  namespaceValidator,
  type OperationResult,
  operationResultValidator,
} from "@finemem/spec";
import { decodeJsonl, encodeJsonlLine, JsonlError } from "@finemem/utils";
import { MemoryImportError } from "../store/errors.js";
import { canonicalNamespace, namespaceKey } from "../store/namespace-key.js";

/** The `format` field of an export's first line. */
export const MEMORY_EXPORT_FORMAT = "finemem-memory";
/** The format version this build writes and the newest it reads. */
export const MEMORY_EXPORT_FORMAT_VERSION = 1;

/** The store settings an export records; an import needs a store with the same ones. */
export interface ExportSettings {
  readonly layout: MemoryLayout;
  readonly coreTokenCap: number;
  readonly coreOverflow: "truncate" | "reject";
  readonly maxItemTokens: number | null;
  readonly maxItems: number | null;
  readonly allowDuplicateInserts: boolean;
  /** The token encoding the caps were counted in. */
  readonly tokenEncoding: string;
}

export interface ExportHeader {
  readonly format: typeof MEMORY_EXPORT_FORMAT;
  readonly formatVersion: number;
  readonly settings: ExportSettings;
}

export interface NamespaceRecord {
  readonly record: "namespace";
  readonly namespace: Namespace;
  readonly step: number;
  readonly nextItemNumber: number;
}
export interface OperationRecord {
  readonly record: "operation";
  readonly namespace: Namespace;
  readonly step: number;
  readonly sourceChunkId?: Id;
  readonly operationId: Id;
  readonly operation: MemoryOperation;
  readonly result: OperationResult;
}
export interface VersionRecord {
  readonly record: "version";
  readonly namespace: Namespace;
  readonly version: MemoryItemVersion;
}
export interface ItemRecordLine {
  readonly record: "item";
  readonly namespace: Namespace;
  readonly item: MemoryItem;
}

/** Every line after the header. */
export type ExportRecord = NamespaceRecord | OperationRecord | VersionRecord | ItemRecordLine;

/** A decoded export, each record with its 1-based line number. */
export interface DecodedExport {
  readonly header: ExportHeader;
  readonly records: readonly { readonly line: number; readonly record: ExportRecord }[];
}

export function encodeExport(header: ExportHeader, records: readonly ExportRecord[]): string {
  let text = encodeJsonlLine(header);
  for (const record of records) text += encodeJsonlLine(record);
  return text;
}

/**
 * Decodes and checks an export: the header names this format at a version this build reads, and
 * every record is well-formed. Errors are {@link MemoryImportError}s naming the line.
 */
export function decodeExport(text: string): DecodedExport {
  let values: unknown[];
  try {
    values = decodeJsonl(text);
  } catch (error) {
    if (error instanceof JsonlError)
      throw new MemoryImportError("invalid_record", error.message.replace(/^line \d+: /, ""), {
        line: error.line,
        cause: error,
      });
    throw error;
  }
  if (values.length === 0)
    throw new MemoryImportError("foreign_format", "the text is empty; a memory export starts with a header line");
  const header = values[0] as Partial<ExportHeader> | null;
  if (typeof header !== "object" || header === null || header.format !== MEMORY_EXPORT_FORMAT) {
    const found =
      typeof header === "object" && header !== null && "format" in header
        ? JSON.stringify(header.format)
        : "no format field";
    throw new MemoryImportError(
      "foreign_format",
      `not a Fine-Mem memory export (expected format "${MEMORY_EXPORT_FORMAT}", found ${found})`,
      { line: 1 },
    );
  }
  if (!Number.isInteger(header.formatVersion) || (header.formatVersion as number) < 1) {
    throw new MemoryImportError(
      "invalid_record",
      `formatVersion must be a positive integer, found ${JSON.stringify(header.formatVersion)}`,
      { line: 1 },
    );
  }
  if ((header.formatVersion as number) > MEMORY_EXPORT_FORMAT_VERSION) {
    throw new MemoryImportError(
      "newer_format",
      `written with format version ${header.formatVersion}, but this build of @finemem/memory reads versions up to ${MEMORY_EXPORT_FORMAT_VERSION}; upgrade @finemem/memory to import it`,
      { line: 1 },
    );
  }
  checkSettings(header.settings);
  const records = values.slice(1).map((value, index) => ({ line: index + 2, record: checkRecord(value, index + 2) }));
  return { header: header as ExportHeader, records };
}

function checkSettings(settings: unknown): void {
  const fail = (message: string) => new MemoryImportError("invalid_record", `settings: ${message}`, { line: 1 });
  if (typeof settings !== "object" || settings === null) throw fail("missing");
  const value = settings as Record<string, unknown>;
  if (value.layout !== "flat" && value.layout !== "typed")
    throw fail(`layout must be "flat" or "typed", found ${JSON.stringify(value.layout)}`);
  if (!Number.isInteger(value.coreTokenCap)) throw fail("coreTokenCap must be an integer");
  if (value.coreOverflow !== "truncate" && value.coreOverflow !== "reject")
    throw fail('coreOverflow must be "truncate" or "reject"');
  if (value.maxItemTokens !== null && !Number.isInteger(value.maxItemTokens))
    throw fail("maxItemTokens must be an integer or null");
  if (value.maxItems !== null && !Number.isInteger(value.maxItems)) throw fail("maxItems must be an integer or null");
  if (typeof value.allowDuplicateInserts !== "boolean") throw fail("allowDuplicateInserts must be a boolean");
  if (typeof value.tokenEncoding !== "string") throw fail("tokenEncoding must be a string");
}

function checkRecord(value: unknown, line: number): ExportRecord {
  const fail = (message: string, cause?: unknown) => new MemoryImportError("invalid_record", message, { line, cause });
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail("a record must be a JSON object");
  const record = value as Record<string, unknown>;
  const checkNamespace = () => {
    const checked = namespaceValidator.validate(record.namespace);
    if (!checked.ok) throw fail(checked.error.messageAt(["namespace"]), checked.error);
  };
  const checkStep = (field: string, step: unknown) => {
    if (!Number.isInteger(step) || (step as number) < 0)
      throw fail(`${field} must be an integer ≥ 0, found ${JSON.stringify(step)}`);
  };
  const checkKeys = (allowed: readonly string[]) => {
    const extra = Object.keys(record).find((key) => !allowed.includes(key));
    if (extra !== undefined) throw fail(`unknown field "${extra}" in a ${String(record.record)} record`);
  };
  switch (record.record) {
    case "namespace":
      checkKeys(["record", "namespace", "step", "nextItemNumber"]);
      checkNamespace();
      checkStep("step", record.step);
      if (!Number.isInteger(record.nextItemNumber) || (record.nextItemNumber as number) < 1)
        throw fail("nextItemNumber must be an integer ≥ 1");
      return record as unknown as NamespaceRecord;
    case "operation": {
      checkKeys(["record", "namespace", "step", "sourceChunkId", "operationId", "operation", "result"]);
      checkNamespace();
      checkStep("step", record.step);
      const operation = identifiedOperationValidator.validate({
        operationId: record.operationId,
        operation: record.operation,
      });
      if (!operation.ok) throw fail(operation.error.message, operation.error);
      const result = operationResultValidator.validate(record.result);
      if (!result.ok) throw fail(`result: ${result.error.message}`, result.error);
      return record as unknown as OperationRecord;
    }
    case "version": {
      checkKeys(["record", "namespace", "version"]);
      checkNamespace();
      const version = memoryItemVersionValidator.validate(record.version);
      if (!version.ok) throw fail(`version: ${version.error.message}`, version.error);
      return record as unknown as VersionRecord;
    }
    case "item": {
      checkKeys(["record", "namespace", "item"]);
      checkNamespace();
      const item = memoryItemValidator.validate(record.item);
      if (!item.ok) throw fail(`item: ${item.error.message}`, item.error);
      return record as unknown as ItemRecordLine;
    }
    default:
      throw fail(
        `unknown record kind ${JSON.stringify(record.record)} (expected namespace, operation, version or item)`,
      );
  }
}

/**
 * The export re-encoded with every record under `namespace` (canonical), for an import with the
 * `namespace` option. Refuses (`several_namespaces`) an export holding more than one namespace.
 */
export function retargetExport(decoded: DecodedExport, namespace: Namespace): string {
  const sources = new Map<string, Namespace>();
  for (const { record } of decoded.records) sources.set(namespaceKey(record.namespace), record.namespace);
  if (sources.size > 1) {
    const names = [...sources.values()].map((source) => JSON.stringify(source)).join(", ");
    throw new MemoryImportError(
      "several_namespaces",
      `the export holds ${sources.size} namespaces (${names}); an import under namespace ${JSON.stringify(namespace)} takes an export of one namespace`,
    );
  }
  const target = canonicalNamespace(namespace);
  return encodeExport(
    decoded.header,
    decoded.records.map(({ record }) => ({ ...record, namespace: target })),
  );
}

/** The first line (1-based) where two exports differ, or null when they are equal. */
export function firstDifferingLine(expected: string, actual: string): number | null {
  if (expected === actual) return null;
  const left = expected.split("\n");
  const right = actual.split("\n");
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    if (left[index] !== right[index]) return index + 1;
  }
  return null;
}
