import { formatDuration } from "../run/progress-reporter.js";
import type { TrainProgress } from "../train/train.js";
import type { EvaluationLine, UpdateLine } from "../train/train-files.js";

export interface TrainProgressPrinterOptions {
  /** Where to draw; `null` draws nothing. */
  readonly stream: (NodeJS.WritableStream & { readonly isTTY?: boolean }) | null;
  /** Milliseconds between plain lines when the stream is not a terminal; default 10 000. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export interface TrainProgressPrinter extends TrainProgress {
  /** The current line, without drawing. */
  line(): string;
  /** Ends the line drawn in place. */
  finish(): void;
}

const score = (value: number | null | undefined) => (value === null || value === undefined ? "—" : value.toFixed(3));

/**
 * `finemem train`'s progress on stderr: update k of n, rollouts per second, ETA, the update's mean
 * reward and the last held-out score. Redrawn in place on a terminal; elsewhere a plain line at most
 * every `intervalMs`, and one for every held-out evaluation and baseline.
 */
export function createTrainProgressPrinter(options: TrainProgressPrinterOptions): TrainProgressPrinter {
  const { stream } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 10_000;
  const tty = stream?.isTTY === true;
  let total = 0;
  let from = 0;
  let started = now();
  let lastPlain = Number.NEGATIVE_INFINITY;
  let update: UpdateLine | undefined;
  let heldout: EvaluationLine | undefined;
  let drawn = false;

  const line = (): string => {
    const done = update?.update ?? from;
    const elapsed = now() - started;
    const thisProcess = done - from;
    const rolloutsPerSecond = elapsed > 0 && update !== undefined ? update.rolloutsPerSecond : 0;
    const eta = thisProcess > 0 ? (elapsed / thisProcess) * (total - done) : Number.NaN;
    return [
      `train: update ${done} of ${total}`,
      `${rolloutsPerSecond.toFixed(1)} rollouts/s`,
      `ETA ${formatDuration(eta)}`,
      `mean reward ${score(update?.meanReward)}`,
      `held-out ${score(heldout?.score)}${heldout === undefined ? "" : ` (update ${heldout.update})`}`,
    ].join(" · ");
  };
  const draw = (force: boolean) => {
    if (stream === null) return;
    if (tty) {
      stream.write(`\r\x1b[K${line()}`);
      drawn = true;
    } else if (force || now() - lastPlain >= intervalMs) {
      stream.write(`${line()}\n`);
      lastPlain = now();
    }
  };
  const message = (text: string) => {
    if (stream === null) return;
    if (tty && drawn) stream.write("\r\x1b[K");
    stream.write(`${text}\n`);
    if (tty && drawn) stream.write(line());
  };
  return {
    onStart(info) {
      total = info.updates;
      from = info.from;
      started = now();
      if (from > 0) message(`train: resuming after update ${from} (its checkpoint and journals)`);
      draw(true);
    },
    onBaseline(baseline) {
      message(
        `held-out ${baseline.name}: ${score(baseline.score)} (${baseline.memoryTokens.toFixed(0)} memory tokens)`,
      );
    },
    onEvaluation(evaluation) {
      heldout = evaluation;
      message(
        `held-out ${evaluation.update === 0 ? "before training" : `after update ${evaluation.update}`}: ${score(evaluation.score)} (${evaluation.memoryTokens.toFixed(0)} memory tokens)`,
      );
    },
    onUpdate(next) {
      update = next;
      draw(next.update === total);
    },
    line,
    finish() {
      if (stream !== null && tty && drawn) stream.write("\n");
      drawn = false;
    },
  };
}
