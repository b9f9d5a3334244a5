// A trainer checkpoint is one safetensors file: the policy's parameters, the optimiser's moments and
// the frozen KL reference as tensors (`param/<name>`, `adam.m/<name>`, `adam.v/<name>`,
// `reference/<name>`), and everything else as header metadata (format and version, update step,
// optimiser step, seed, the trainer's configuration and the policy's, as JSON). One file, so that a
// checkpoint is written atomically and opens in Python (`safetensors.numpy.load_file`).
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import type { AdamWState } from "@finemem/kernels";
import type { JsonValue } from "@finemem/spec";
import type { LocalTrainerState } from "../local/local-trainer.js";
import type { LocalTrainerConfig } from "../local/local-trainer-config.js";
import { TrainerError } from "../trainer-error.js";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "./safetensors.js";

/** The `format` metadata of a trainer checkpoint. */
export const TRAINER_CHECKPOINT_FORMAT = "finemem-trainer-checkpoint";
/** Bumped whenever a checkpoint's layout changes; older versions keep opening. */
export const TRAINER_CHECKPOINT_VERSION = 1;

/** A checkpoint's contents: the trainer's state and the policy's configuration, when given. */
export interface TrainerCheckpoint {
  readonly state: LocalTrainerState;
  /** What the policy needs to be rebuilt around the parameters (e.g. a learned policy's `config`). */
  readonly policy: JsonValue | null;
}

function floatTensor(values: Float32Array | Float64Array): SafetensorsTensor {
  return values instanceof Float64Array
    ? { dtype: "F64", shape: [values.length], data: values }
    : { dtype: "F32", shape: [values.length], data: values };
}

/** A checkpoint as safetensors bytes. */
export function encodeTrainerCheckpoint(checkpoint: TrainerCheckpoint): Uint8Array {
  const { state } = checkpoint;
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [name, values] of Object.entries(state.parameters)) tensors[`param/${name}`] = floatTensor(values);
  for (const [name, { m, v }] of Object.entries(state.optimizer.moments)) {
    tensors[`adam.m/${name}`] = floatTensor(m);
    tensors[`adam.v/${name}`] = floatTensor(v);
  }
  for (const [name, values] of Object.entries(state.reference ?? {}))
    tensors[`reference/${name}`] = floatTensor(values);
  return encodeSafetensors(tensors, {
    format: TRAINER_CHECKPOINT_FORMAT,
    format_version: String(TRAINER_CHECKPOINT_VERSION),
    update_step: String(state.updateStep),
    adam_step: String(state.optimizer.step),
    seed: state.seed,
    config: JSON.stringify(state.config),
    policy: JSON.stringify(checkpoint.policy),
  });
}

function corrupt(message: string, path: readonly (string | number)[] = []): TrainerError {
  return new TrainerError(
    "corrupt_checkpoint",
    `${message}: this is not a readable trainer checkpoint; use another checkpoint of the run`,
    {
      path,
    },
  );
}

function integerField(metadata: Record<string, string>, key: string): number {
  const value = Number(metadata[key]);
  if (metadata[key] === undefined || !Number.isSafeInteger(value) || value < 0)
    throw corrupt(`metadata ${key} is ${JSON.stringify(metadata[key])}, expected a non-negative integer`, [
      "metadata",
      key,
    ]);
  return value;
}

function jsonField(metadata: Record<string, string>, key: string): unknown {
  const text = metadata[key];
  if (text === undefined) throw corrupt(`metadata ${key} is missing`, ["metadata", key]);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corrupt(`metadata ${key} is not JSON (${(error as Error).message})`, ["metadata", key]);
  }
}

/** Reads a checkpoint's bytes: `corrupt_checkpoint` or `newer_format` (naming the versions) when it cannot. */
export function decodeTrainerCheckpoint(bytes: Uint8Array): TrainerCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== TRAINER_CHECKPOINT_FORMAT) {
    throw corrupt(
      `a safetensors file whose format metadata is ${JSON.stringify(metadata.format)}, not "${TRAINER_CHECKPOINT_FORMAT}"`,
      ["metadata", "format"],
    );
  }
  const version = integerField(metadata, "format_version");
  if (version > TRAINER_CHECKPOINT_VERSION) {
    throw new TrainerError(
      "newer_format",
      `the checkpoint has format version ${version}, and this version of @finemem/trainer reads up to ${TRAINER_CHECKPOINT_VERSION}: upgrade @finemem/trainer to open it`,
      { path: ["metadata", "format_version"] },
    );
  }
  const parameters: Record<string, Float32Array> = {};
  const moments: Record<string, { m: Float32Array | Float64Array; v: Float32Array | Float64Array }> = {};
  const reference: Record<string, Float32Array> = {};
  for (const [key, tensor] of Object.entries(tensors)) {
    const slash = key.indexOf("/");
    const kind = key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (tensor.data instanceof Int32Array)
      throw corrupt(`tensor ${key} holds integers, expected floats`, ["tensors", key]);
    if (kind === "param" || kind === "reference") {
      if (!(tensor.data instanceof Float32Array))
        throw corrupt(`tensor ${key} is ${tensor.dtype}, expected F32`, ["tensors", key]);
      (kind === "param" ? parameters : reference)[name] = tensor.data;
    } else if (kind === "adam.m" || kind === "adam.v") {
      const entry = moments[name] ?? { m: new Float32Array(0), v: new Float32Array(0) };
      moments[name] = kind === "adam.m" ? { ...entry, m: tensor.data } : { ...entry, v: tensor.data };
    } else {
      throw corrupt(`tensor ${key} is none of param/, adam.m/, adam.v/, reference/`, ["tensors", key]);
    }
  }
  for (const name of Object.keys(moments)) {
    if (!tensors[`adam.m/${name}`] || !tensors[`adam.v/${name}`] || parameters[name] === undefined)
      throw corrupt(`the optimiser moments of ${name} are incomplete or name no parameter`, ["tensors", name]);
  }
  const optimizer: AdamWState = { step: integerField(metadata, "adam_step"), moments };
  const seed = metadata.seed;
  if (seed === undefined) throw corrupt("metadata seed is missing", ["metadata", "seed"]);
  return {
    state: {
      updateStep: integerField(metadata, "update_step"),
      seed,
      config: jsonField(metadata, "config") as LocalTrainerConfig,
      parameters,
      optimizer,
      ...(Object.keys(reference).length === 0 ? {} : { reference }),
    },
    policy: jsonField(metadata, "policy") as JsonValue | null,
  };
}

/** Writes a checkpoint file atomically (a temporary file renamed over the path). */
export async function writeTrainerCheckpoint(path: string, checkpoint: TrainerCheckpoint): Promise<void> {
  const bytes = encodeTrainerCheckpoint(checkpoint);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new TrainerError(
      "write_failed",
      `could not write the checkpoint ${path} (${(error as Error).message}): check that its folder exists and is writable, and that the disk has space`,
      { path: ["path"], cause: error },
    );
  }
}

/** Reads a checkpoint file: `missing_file` when there is none at `path`. */
export async function readTrainerCheckpoint(path: string): Promise<TrainerCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new TrainerError(
        "missing_file",
        `no checkpoint at ${path}: check the path, or start the run without resuming`,
        {
          path: ["path"],
          cause: error,
        },
      );
    }
    throw error;
  }
  return decodeTrainerCheckpoint(bytes);
}
