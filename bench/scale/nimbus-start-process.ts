/**
 * `nimbus start` as a user runs it, in a process of its own (the CLI's own
 * entry point), which also answers the bench's memory question over IPC:
 * forked with --expose-gc, it collects garbage first so heap numbers are
 * what the node holds, not what it has not swept yet.
 */
import { main } from '../../src/cli/main.js';
import type { MemoryReply } from './start-messages.js';

process.on('message', (message: unknown) => {
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  const reply: MemoryReply = { kind: 'memory', rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
  process.send?.(reply);
});

const code = await main(process.argv.slice(2));
process.disconnect?.();
process.stdout.write('', () => process.exit(code));
