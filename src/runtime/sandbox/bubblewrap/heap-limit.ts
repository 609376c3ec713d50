// TEMPORARY copy of main's src/runtime/sandbox/heap-limit.ts until it lands on main; replaced by an import after merge.
export function heapLimitMb(memoryMb: number): number {
  return Math.max(32, Math.floor(memoryMb * 0.75));
}
export const HEAP_OOM_PATTERN = /heap out of memory|Reached heap limit|Allocation failed/;
