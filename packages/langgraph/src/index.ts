/**
 * @finemem/langgraph: a LangGraph.js `BaseStore` over Fine-Mem's memory store (in memory, PGlite or
 * PostgreSQL). Puts are memory steps with provenance, search filters with LangGraph's operators and
 * ranks a query by BM25, namespaces are tuples of any depth.
 */
export {
  createFineMemStore,
  type FineMemItemLocation,
  FineMemStore,
  type FineMemStoreOptions,
} from "./finemem-store.js";
export { LangGraphStoreError, type LangGraphStoreErrorCode } from "./langgraph-store-error.js";
