import { FineMemError } from "@finemem/spec";

/** A policy, reader or baseline was configured wrongly; `path` names the option. */
export class PolicyOptionsError extends FineMemError {
  constructor(option: string, message: string) {
    super("invalid_option", `${option}: ${message}`, { path: [option] });
  }
}
