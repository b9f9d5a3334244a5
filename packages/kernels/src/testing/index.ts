export {
  type ConformanceOptions,
  type ConformanceResult,
  conformanceValues,
  runBackendConformance,
} from "./backend-conformance.js";
