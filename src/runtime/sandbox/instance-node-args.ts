import { heapLimitMb } from './heap-limit.js';

/**
 * The Node flags every instance runs with, whatever the sandbox: a heap
 * ceiling under the memory limit, no `__proto__` accessor, and no
 * experimental-feature warnings (the runtime itself uses require() of ES
 * modules and the permission model; their warnings would land in the
 * function's logs). Not `--enable-source-maps`: it parses a bundle's map
 * while the bundle loads; the runtime maps stacks itself, lazily
 * (src/runtime/instance/lazy-source-maps.ts).
 */
export function instanceNodeArgs(memoryMb: number): string[] {
  const args = [`--max-old-space-size=${heapLimitMb(memoryMb)}`, '--disable-proto=delete'];
  if (process.allowedNodeEnvironmentFlags.has('--disable-warning')) args.push('--disable-warning=ExperimentalWarning');
  return args;
}
