/**
 * What a loader reports while it works, for progress bars: a file is ready on disk (downloaded or
 * found in the cache), then each kept row has become an instance (or was skipped).
 */
export type LoadProgress =
  | {
      readonly kind: "file";
      readonly file: string;
      readonly revision: string;
      readonly sha256: string;
      readonly rows: number;
      readonly keptRows: number;
    }
  | {
      readonly kind: "row";
      readonly file: string;
      readonly row: number;
      readonly done: number;
      readonly keptRows: number;
    };

export interface ProgressOptions {
  /** Called as files become ready and rows are turned into instances. */
  readonly onProgress?: (event: LoadProgress) => void;
}
