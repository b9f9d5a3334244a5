/**
 * The memory manager's reply parser: model output (tool calls, tagged blocks, JSON in prose) in,
 * operations and per-fragment parse outcomes out; and the renderer that writes operations back in each
 * reply format (for tests, benchmarks and fake models).
 */
export {
  DEFAULT_MAX_INPUT_CHARS,
  type ParsedReply,
  type ParseReplyOptions,
  parseManagerReply,
} from "./parse-manager-reply.js";
export { type RenderedReply, type RenderOptions, type ReplyFormat, renderOperations } from "./render-reply.js";
export { JSON_REPAIRS } from "./repairs.js";
