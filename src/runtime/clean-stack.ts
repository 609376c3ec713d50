/**
 * A function's stack as its author wants to read it: the frames of Nimbus's
 * own instance runtime (the code that called the handler) are dropped.
 */
export function cleanStack(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => !/\binstance\.mjs:\d+|node:internal\//.test(line))
    .join('\n');
}

/** Where the bundle's source map sends stack frames: `nimbus-app:///<app>/<file in the app folder>`. */
export function appSourceUrl(app: string, source: string): string {
  const relative = source.replace(/^(\.\.\/|\.\/)+/, '');
  return `nimbus-app:///${app}/${relative}`;
}
