import { describe, expect, it } from "vitest";
import { modelFilesAfterConfig } from "./transformers-model-files.js";

describe("modelFilesAfterConfig", () => {
  it("names the tokenizer files and the ONNX weights of the dtype", () => {
    expect(modelFilesAfterConfig({}, "fp32")).toEqual(["tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]);
    expect(modelFilesAfterConfig({}, "q8")).toEqual([
      "tokenizer.json",
      "tokenizer_config.json",
      "onnx/model_quantized.onnx",
    ]);
  });

  it("adds external-data chunks as transformers.js_config declares them", () => {
    const chunks = (setting: unknown, dtype: "fp32" | "fp16" = "fp32") =>
      modelFilesAfterConfig({ "transformers.js_config": { use_external_data_format: setting } }, dtype).slice(3);
    expect(chunks(true)).toEqual(["onnx/model.onnx_data"]);
    expect(chunks(3)).toEqual(["onnx/model.onnx_data", "onnx/model.onnx_data_1", "onnx/model.onnx_data_2"]);
    expect(chunks({ "model_fp16.onnx": 1 }, "fp16")).toEqual(["onnx/model_fp16.onnx_data"]);
    expect(chunks({ model_fp16: 2 }, "fp16")).toEqual(["onnx/model_fp16.onnx_data", "onnx/model_fp16.onnx_data_1"]);
    expect(chunks({ "model_fp16.onnx": 1 })).toEqual([]);
    expect(chunks(1000)).toEqual([]);
  });
});
