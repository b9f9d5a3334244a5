#!/usr/bin/env python3
"""Reads a safetensors file with the standard library and numpy alone, and prints it as JSON.

An outside oracle for @finemem/trainer's writer: it follows the format's description
(https://github.com/huggingface/safetensors#format), not the TypeScript code. Output:

    {"header_length": N, "data_order": [names by offset], "metadata": {...},
     "tensors": {name: {"dtype": ..., "shape": [...], "values": [...]}}}

Exits 1 with a message on stderr when the file breaks the format.

Usage: python3 read_safetensors.py FILE
"""
import json
import struct
import sys

import numpy as np

NUMPY_DTYPES = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "F16": "<f2", "I64": "<i8", "U8": "u1"}


def fail(message):
    print(f"read_safetensors.py: {message}", file=sys.stderr)
    sys.exit(1)


def read(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 8:
        fail("shorter than the 8-byte header length")
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        fail(f"header length {header_length} runs past the end")
    if (8 + header_length) % 8 != 0:
        fail(f"8 + header length {header_length} is not a multiple of 8 (the header is not padded)")
    header_bytes = data[8 : 8 + header_length]
    if header_bytes.rstrip(b" ") != header_bytes.rstrip():
        fail("the header is padded with something other than spaces")
    header = json.loads(header_bytes.decode("utf-8"))
    body = data[8 + header_length :]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    spans = []
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = np.dtype(NUMPY_DTYPES[entry["dtype"]])
        shape = entry["shape"]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end - begin != count * dtype.itemsize:
            fail(f"tensor {name}: offsets span {end - begin} bytes, shape {shape} needs {count * dtype.itemsize}")
        array = np.frombuffer(body[begin:end], dtype=dtype).reshape(shape)
        tensors[name] = {"dtype": entry["dtype"], "shape": shape, "values": array.reshape(-1).tolist()}
        spans.append((begin, end, name))
    spans.sort()
    position = 0
    for begin, end, name in spans:
        if begin != position:
            fail(f"tensor {name} starts at {begin}, expected {position} (a gap or an overlap)")
        position = end
    if position != len(body):
        fail(f"the tensors cover {position} of {len(body)} data bytes")
    return {
        "header_length": header_length,
        "data_order": [name for _, _, name in spans],
        "metadata": metadata,
        "tensors": tensors,
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: read_safetensors.py FILE")
    print(json.dumps(read(sys.argv[1])))
