/** What every benchmark section looks like to the runner (`bench/index.ts`). */

export type BenchCell = string | number;
export type BenchRow = Record<string, BenchCell>;

export interface SectionResult {
  rows: BenchRow[];
  /** Caveats, the noise seen, how to read the numbers. Printed under the table. */
  notes?: string[];
}

export interface BenchSection {
  /** Short name used on the command line: `npm run bench -- http cold-start`. */
  name: string;
  /** One line: what is measured against what. */
  title: string;
  run(): Promise<SectionResult>;
}
