// One framing for the binary files the store writes (the replica image, the snapshot file around it):
// an 8-character magic, the header's length (uint32, little-endian), the header (JSON, UTF-8), zero
// padding to a multiple of 8 bytes, then the body. The padding keeps the body 8-byte aligned, so typed
// arrays can view it in place.

/** The frame's bytes before the body: magic, header length, header, padding. */
export function framePrefix(magic: string, header: unknown): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(alignedTo8(12 + headerBytes.byteLength));
  prefix.set(new TextEncoder().encode(magic), 0);
  new DataView(prefix.buffer).setUint32(8, headerBytes.byteLength, true);
  prefix.set(headerBytes, 12);
  return prefix;
}

/** A frame as read: its magic (when there are 8 bytes), then its header and body, or why not. */
export type FrameRead =
  | { readonly ok: true; readonly magic: string; readonly header: unknown; readonly body: Uint8Array }
  | { readonly ok: false; readonly magic: string | undefined; readonly why: string };

/** Reads a frame's magic, header and body (the body is a view of `bytes`, not a copy). */
export function readFrame(bytes: Uint8Array): FrameRead {
  if (bytes.byteLength < 12) return { ok: false, magic: undefined, why: "too short" };
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) return { ok: false, magic, why: "truncated" };
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch (error) {
    return { ok: false, magic, why: `header is damaged: ${(error as Error).message}` };
  }
  const start = Math.min(alignedTo8(12 + headerLength), bytes.byteLength);
  return { ok: true, magic, header, body: bytes.subarray(start) };
}

function alignedTo8(offset: number): number {
  return offset + ((8 - (offset % 8)) % 8);
}
