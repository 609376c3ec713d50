/**
 * A function's stack as its author wants to read it: Node's internal frames are
 * dropped, and so is everything from the first frame of Nimbus's own instance
 * runtime on: the runtime called the handler, so what is below it is how the
 * platform got there (its frames, and the `AsyncLocalStorage.run` it went through).
 */
export function cleanStack(stack: string): string {
  const lines = stack.split('\n');
  const runtime = lines.findIndex((line, i) => i > 0 && /\binstance\.mjs:\d+/.test(line));
  return (runtime === -1 ? lines : lines.slice(0, runtime)).filter((line) => !/node:internal\//.test(line)).join('\n');
}

/** Where the bundle's source map sends stack frames: `nimbus-app:///<app>/<file in the app folder>`. */
export function appSourceUrl(app: string, source: string): string {
  const relative = source.replace(/^(\.\.\/|\.\/)+/, '');
  return `nimbus-app:///${app}/${relative}`;
}
