import type { FunctionLogLine } from '../../runtime/lifecycle.js';
import { formatLogLine } from './format-log-line.js';

/** A run of repeats that keeps going is summed up at least this often where lines cannot be redrawn. */
export const FOLD_REPORT_MS = 60_000;
const UP_AND_CLEAR = '\x1b[1A\r\x1b[2K';

export interface DevConsoleOutput {
  out(line: string): void;
  err(line: string): void;
  /** Raw standard output, for redrawing the last line on a terminal. */
  write(chunk: string): void;
  isTTY: boolean;
  now?: () => number;
}

interface Run {
  key: string;
  line: FunctionLogLine;
  count: number;
  /** How many of the run are already shown (printed, redrawn or summed up). */
  shown: number;
  reportedAt: number;
}

/**
 * Everything `nimbus dev` prints goes through here, so repeated function
 * lines can fold: the same message from the same function again and again (a
 * timer's "tick") shows once with a count, `tick ×12`. On a terminal the
 * last line is redrawn with the new count; elsewhere (a pipe, a file) the
 * count is printed as one more line when the run ends, when dev stops, and
 * at least every FOLD_REPORT_MS while it lasts.
 */
export class DevConsole {
  readonly #output: DevConsoleOutput;
  #run: Run | undefined;

  constructor(output: DevConsoleOutput) {
    this.#output = output;
  }

  /** Any other line: ends a run of repeats. */
  line(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.#endRun();
    (stream === 'stderr' ? this.#output.err : this.#output.out)(text);
  }

  functionLog(line: FunctionLogLine): void {
    const key = `${line.app}\u0000${line.functionName}\u0000${line.stream}\u0000${line.message}`;
    const run = this.#run;
    if (run && run.key === key) {
      run.count++;
      run.line = line;
      if (this.#canRedraw(line)) {
        this.#output.write(UP_AND_CLEAR);
        this.#output.out(folded(line, run.count));
        run.shown = run.count;
      } else if (this.#now() - run.reportedAt >= FOLD_REPORT_MS) {
        this.#report(run);
      }
      return;
    }
    this.#endRun();
    this.#print(line, formatLogLine(line));
    this.#run = { key, line, count: 1, shown: 1, reportedAt: this.#now() };
  }

  /** Sums up a run still open (dev is stopping). */
  close(): void {
    this.#endRun();
  }

  #endRun(): void {
    const run = this.#run;
    this.#run = undefined;
    if (run && run.count > run.shown) this.#report(run);
  }

  #report(run: Run): void {
    this.#print(run.line, folded(run.line, run.count));
    run.shown = run.count;
    run.reportedAt = this.#now();
  }

  #print(line: FunctionLogLine, text: string): void {
    (line.stream === 'stderr' ? this.#output.err : this.#output.out)(text);
  }

  /** Only standard output is redrawn: it is the stream whose last line is known to be ours. */
  #canRedraw(line: FunctionLogLine): boolean {
    return this.#output.isTTY && line.stream === 'stdout';
  }

  #now(): number {
    return (this.#output.now ?? Date.now)();
  }
}

function folded(line: FunctionLogLine, count: number): string {
  return `${formatLogLine(line)} ×${count}`;
}
