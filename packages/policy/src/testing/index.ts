/**
 * Test support for code that calls served models: a local OpenAI-compatible server that replays
 * recorded or scripted responses (including errors, hangs and dropped connections), and a manual
 * clock so retry delays and timeouts are tested without waiting.
 */

export type { Clock } from "../http/clock.js";
export { createManualClock, type ManualClock, type PendingTimer } from "./manual-clock.js";
export {
  type ChatCompletionBodyOptions,
  chatCompletion,
  type OpenAIReplayServer,
  type ReceivedRequest,
  type ReplayDestroy,
  type ReplayEntry,
  type ReplayHang,
  type ReplayResponse,
  type ReplayScript,
  type ReplayServerOptions,
  type ReplayTiming,
  type ReplayToolCall,
  startOpenAIReplayServer,
} from "./openai-replay-server.js";
