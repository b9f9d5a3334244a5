import type { StepRecord } from "@finemem/spec";
import { encodeJsonlLine } from "@finemem/utils";
import type { AtomicFileWriter } from "./atomic-file-writer.js";

/** Characters of step lines encoded before they are written (about 1 MB of mostly ASCII JSON). */
const STEP_SLICE_CHARS = 1 << 20;

/**
 * Writes an episode's step records as JSONL, a slice at a time: the steps of one episode over a
 * 10 MB instance encode to 44 MB, which as one string (and its lines before the join) would sit on
 * the heap beside the episode itself, at the moment memory peaks.
 */
export async function writeStepSlices(
  file: Pick<AtomicFileWriter, "write">,
  records: readonly StepRecord[],
  sliceChars = STEP_SLICE_CHARS,
): Promise<void> {
  let slice = "";
  for (const record of records) {
    slice += encodeJsonlLine(record);
    if (slice.length >= sliceChars) {
      await file.write(slice);
      slice = "";
    }
  }
  if (slice.length > 0) await file.write(slice);
}
