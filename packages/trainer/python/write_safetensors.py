#!/usr/bin/env python3
"""Writes a safetensors file with the standard library and numpy alone, and prints what it wrote as JSON.

The other direction of the outside oracle: @finemem/trainer's reader must decode a file it did not
write. The layout follows the format's description (https://github.com/huggingface/safetensors#format)
the way the reference writer lays it out: tensors by decreasing alignment, then by name (so not the
order @finemem/trainer writes), the header padded with spaces to a multiple of 8.

Usage: python3 write_safetensors.py FILE   (prints {"metadata": {...}, "tensors": {name: {dtype, shape, values}}})
"""
import json
import struct
import sys

import numpy as np


def tensors():
    return {
        "layer.weight": np.array([[0.5, -1.25, 3.0e-8], [1.0e30, -0.0, 7.0]], dtype="<f4"),
        "layer.bias": np.array([0.1, 0.2, 0.3], dtype="<f4"),
        "optimizer.step": np.array([42], dtype="<i4"),
        "counts": np.array([[-2147483648, 0], [1, 2147483647]], dtype="<i4"),
        "statistics.mean": np.array([0.1, -2.5e-300, 1.0e300], dtype="<f8"),
        "scalar": np.array(3.5, dtype="<f8"),
        "empty": np.zeros((0, 4), dtype="<f4"),
    }


DTYPE_NAMES = {"float32": "F32", "float64": "F64", "int32": "I32"}


def write(path, arrays, metadata):
    names = sorted(arrays, key=lambda name: (-arrays[name].dtype.itemsize, name))
    header = {"__metadata__": metadata}
    offset = 0
    for name in names:
        array = arrays[name]
        size = array.nbytes
        header[name] = {
            "dtype": DTYPE_NAMES[array.dtype.name],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(header_bytes)))
        handle.write(header_bytes)
        for name in names:
            handle.write(np.ascontiguousarray(arrays[name]).tobytes())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: write_safetensors.py FILE", file=sys.stderr)
        sys.exit(2)
    arrays = tensors()
    metadata = {"format": "pt", "written_by": "write_safetensors.py"}
    write(sys.argv[1], arrays, metadata)
    print(
        json.dumps(
            {
                "metadata": metadata,
                "tensors": {
                    name: {"dtype": DTYPE_NAMES[a.dtype.name], "shape": list(a.shape), "values": a.reshape(-1).tolist()}
                    for name, a in arrays.items()
                },
            }
        )
    )
