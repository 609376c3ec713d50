/** A step of a deploy: shown while it runs, then with how long it took. */
export interface StepObserver {
  start(step: string): void;
  done(step: string, ms: number, detail?: string): void;
  /** The deploy ended (done or failed): clears whatever is still shown as running. */
  end(): void;
}

/** Steps nobody watches (dev's later saves, tests). */
export const QUIET_STEPS: StepObserver = { start() {}, done() {}, end() {} };

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_MS = 80;
const CLEAR_LINE = '\r\x1b[K';

export function formatStep(step: string, ms: number, detail?: string): string {
  return `${step.padEnd(11)} ${formatMs(ms).padStart(7)}${detail ? `  ${detail}` : ''}`;
}

export function formatMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * On a terminal: a spinner line naming the steps running now, replaced by
 * one line per finished step. Elsewhere (a pipe, a CI log): only the finished
 * lines, plain, one each. With `finishedLines: false` only the spinner shows
 * (dev, whose deploy line names the steps already).
 */
export function stepProgress(out: (line: string) => void, write: (chunk: string) => void, isTTY: boolean, options: { indent?: string; finishedLines?: boolean } = {}): StepObserver {
  const indent = options.indent ?? '  ';
  const finishedLines = options.finishedLines ?? true;
  if (!isTTY) {
    return finishedLines ? { start() {}, done: (step, ms, detail) => out(`${indent}${formatStep(step, ms, detail)}`), end() {} } : QUIET_STEPS;
  }
  const running = new Set<string>();
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    if (running.size > 0) write(`${CLEAR_LINE}${indent}${SPINNER[frame++ % SPINNER.length]} ${[...running].join(' + ')}…`);
  };
  const stop = (): void => {
    clearInterval(timer);
    timer = undefined;
    write(CLEAR_LINE);
  };
  return {
    start(step) {
      running.add(step);
      timer ??= setInterval(draw, SPIN_MS).unref();
      draw();
    },
    done(step, ms, detail) {
      running.delete(step);
      write(finishedLines ? `${CLEAR_LINE}${indent}✓ ${formatStep(step, ms, detail)}\n` : CLEAR_LINE);
      if (running.size === 0) stop();
      else draw();
    },
    end() {
      running.clear();
      if (timer) stop();
    },
  };
}
