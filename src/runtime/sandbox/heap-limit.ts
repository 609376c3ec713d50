/**
 * V8 heap ceiling for an instance of `memoryMb`: the rest is left for Node
 * itself (code, buffers, stacks), so the heap limit trips before the RSS
 * limit in the common case of a leaking handler.
 */
export function heapLimitMb(memoryMb: number): number {
  return Math.max(32, Math.floor(memoryMb * 0.75));
}

/** Lines V8 prints on stderr when it dies of heap exhaustion. */
export const HEAP_OOM_PATTERN = /heap out of memory|Reached heap limit|Allocation failed/;
