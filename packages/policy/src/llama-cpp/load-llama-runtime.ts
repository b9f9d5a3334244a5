import { importOptionalPeer } from "@finemem/utils";
import type {
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaLogLevel,
  LlamaModel,
} from "node-llama-cpp";
import { ModelConfigError } from "../http/errors.js";
import { LocalModelError, peerLoadError } from "../local/local-model-error.js";
import { checkGgufFile } from "./check-gguf-file.js";
import { DEFAULT_MAX_CONTEXT_SIZE, type ResolvedLlamaCppOptions } from "./llama-cpp-options.js";
import { operationGrammarGbnf } from "./operation-grammar.js";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Everything one loaded model needs to generate: one context with one sequence, reused call after call. */
export interface LlamaRuntime {
  readonly modelPath: string;
  readonly lib: NodeLlamaCpp;
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly sequence: LlamaContextSequence;
  readonly chatWrapper: ChatWrapper;
  /** The compiled operation grammar, when the model has one. */
  readonly grammar: LlamaGrammar | undefined;
  dispose(): Promise<void>;
}

const ENTRY = "@finemem/policy/llama-cpp";

/**
 * One llama.cpp instance per backend setting, shared by every model of the process: starting one
 * takes most of a second (it loads the native binding and probes the hardware), a model about a
 * tenth of that. It is never disposed; models and contexts are, and the process exits without it.
 */
const llamas = new Map<string, Promise<Llama>>();

function sharedLlama(lib: NodeLlamaCpp, options: ResolvedLlamaCppOptions): Promise<Llama> {
  const key = `${options.gpu}:${options.logLevel}`;
  let llama = llamas.get(key);
  if (llama === undefined) {
    llama = lib.getLlama({
      gpu: options.gpu,
      build: "never",
      logLevel: options.logLevel as LlamaLogLevel,
      progressLogs: false,
    });
    llamas.set(key, llama);
    // A failed start is not kept: the next model tries again.
    llama.catch(() => llamas.delete(key));
  }
  return llama;
}

/**
 * Checks the file, imports node-llama-cpp, starts llama.cpp on the CPU (or the GPU asked for) from its
 * prebuilt binary, loads the model and creates the context, the chat wrapper and the grammar. Whatever
 * was created is disposed again when a later step fails. Errors name the model path: `model_not_found`
 * and `model_corrupt` for the file, `missing_dependency` without node-llama-cpp, `load_failed` for the
 * runtime, and a {@link ModelConfigError} for a chat wrapper name node-llama-cpp does not know.
 */
export async function loadLlamaRuntime(options: ResolvedLlamaCppOptions): Promise<LlamaRuntime> {
  const modelPath = options.modelPath;
  await checkGgufFile(modelPath);
  const lib = await importOptionalPeer("node-llama-cpp", ENTRY, () => import("node-llama-cpp"), peerLoadError);
  if (
    options.chatWrapper !== "auto" &&
    !(lib.resolvableChatWrapperTypeNames as readonly string[]).includes(options.chatWrapper)
  ) {
    throw new ModelConfigError(
      ["chatWrapper"],
      `unknown chat wrapper ${JSON.stringify(options.chatWrapper)}; node-llama-cpp knows ${lib.resolvableChatWrapperTypeNames.join(", ")}`,
    );
  }

  const disposers: (() => Promise<void>)[] = [];
  const disposeAll = async () => {
    for (const dispose of disposers.splice(0).reverse()) await dispose().catch(() => undefined);
  };
  const step = async <T>(code: "load_failed" | "model_corrupt", what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      await disposeAll();
      throw new LocalModelError(
        code,
        `${what} failed for ${modelPath}: ${(error as Error)?.message ?? String(error)}`,
        { modelPath, cause: error },
      );
    }
  };

  const llama = await step("load_failed", "starting llama.cpp (node-llama-cpp getLlama)", () =>
    sharedLlama(lib, options),
  );
  // The header checks passed, so a refusal here is llama.cpp not understanding the model's contents.
  const model = await step("model_corrupt", "loading the model", () => llama.loadModel({ modelPath }));
  disposers.push(() => model.dispose());
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT_SIZE);
  const context = await step("load_failed", `creating a context of ${contextSize} tokens`, () =>
    model.createContext({ contextSize, threads: options.threads, sequences: 1 }),
  );
  disposers.push(() => context.dispose());
  const sequence = context.getSequence();
  const chatWrapper = await step("load_failed", "choosing the chat wrapper", async () =>
    lib.resolveChatWrapper(model, { type: options.chatWrapper as "auto", warningLogs: false }),
  );
  const grammar =
    options.operationGrammar === undefined
      ? undefined
      : await step("load_failed", "compiling the operation grammar", () =>
          llama.createGrammar({ grammar: operationGrammarGbnf(options.operationGrammar) }),
        );

  return { modelPath, lib, llama, model, context, sequence, chatWrapper, grammar, dispose: disposeAll };
}
