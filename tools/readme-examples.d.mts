export interface ReadmeExample {
  readonly line: number;
  readonly code: string;
  readonly expectedOutput: string | null;
}
export function readReadmeExamples(readmePath: string): ReadmeExample[];
export function runReadmeExample(example: ReadmeExample, readmePath: string): Promise<string>;
export function testReadmeExamples(readmePath: string): Promise<void>;
