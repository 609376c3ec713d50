import { heapLimitMb } from './heap-limit.js';

/**
 * The Node flags every instance runs with, whatever the sandbox: a heap
 * ceiling under the memory limit, no `__proto__` accessor, stack traces
 * mapped to the app's sources, and no experimental-feature warnings
 * (the runtime itself uses require() of ES modules and the permission
 * model; their warnings would land in the function's logs).
 */
export function instanceNodeArgs(memoryMb: number): string[] {
  const args = [`--max-old-space-size=${heapLimitMb(memoryMb)}`, '--disable-proto=delete', '--enable-source-maps'];
  if (process.allowedNodeEnvironmentFlags.has('--disable-warning')) args.push('--disable-warning=ExperimentalWarning');
  return args;
}
