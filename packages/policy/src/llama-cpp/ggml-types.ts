/**
 * Bytes per block and elements per block of the ggml tensor types a GGUF file may hold, as llama.cpp
 * (the build node-llama-cpp 3.22.1 ships) reports them. Used to work out how long a file must be for
 * its tensor data to be all there. Types removed from ggml (4, 5, 31–33, 36–38) and any newer type are
 * absent: a tensor of such a type is left to llama.cpp, which refuses unknown types without crashing.
 */
export const GGML_TYPE_SIZES: ReadonlyMap<
  number,
  { readonly name: string; readonly typeSize: number; readonly blockSize: number }
> = new Map(
  (
    [
      [0, "F32", 4, 1],
      [1, "F16", 2, 1],
      [2, "Q4_0", 18, 32],
      [3, "Q4_1", 20, 32],
      [6, "Q5_0", 22, 32],
      [7, "Q5_1", 24, 32],
      [8, "Q8_0", 34, 32],
      [9, "Q8_1", 36, 32],
      [10, "Q2_K", 84, 256],
      [11, "Q3_K", 110, 256],
      [12, "Q4_K", 144, 256],
      [13, "Q5_K", 176, 256],
      [14, "Q6_K", 210, 256],
      [15, "Q8_K", 292, 256],
      [16, "IQ2_XXS", 66, 256],
      [17, "IQ2_XS", 74, 256],
      [18, "IQ3_XXS", 98, 256],
      [19, "IQ1_S", 50, 256],
      [20, "IQ4_NL", 18, 32],
      [21, "IQ3_S", 110, 256],
      [22, "IQ2_S", 82, 256],
      [23, "IQ4_XS", 136, 256],
      [24, "I8", 1, 1],
      [25, "I16", 2, 1],
      [26, "I32", 4, 1],
      [27, "I64", 8, 1],
      [28, "F64", 8, 1],
      [29, "IQ1_M", 56, 256],
      [30, "BF16", 2, 1],
      [34, "TQ1_0", 54, 256],
      [35, "TQ2_0", 66, 256],
      [39, "MXFP4", 17, 32],
      [40, "NVFP4", 36, 64],
      [41, "Q1_0", 18, 128],
      [42, "Q2_0", 18, 64],
    ] as const
  ).map(([type, name, typeSize, blockSize]) => [type, { name, typeSize, blockSize }]),
);
