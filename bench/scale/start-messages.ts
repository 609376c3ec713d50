/** What the `nimbus start` child (nimbus-start-process.ts) answers when asked 'memory'. */
export interface MemoryReply {
  kind: 'memory';
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
}
