/**
 * `nimbus start` as a user runs it, in a process of its own (the bundled CLI
 * that `bin/nimbus.js` runs), which also answers the bench's memory question over IPC:
 * forked with --expose-gc, it collects garbage first so heap numbers are
 * what the node holds, not what it has not swept yet.
 */
import type { main as cliMain } from '../../src/cli/main.js';
import type { MemoryReply } from './start-messages.js';

// bin/ is not compiled: from dist/bench/scale/ it is three folders up.
const { cliEntry } = (await import(new URL('../../../bin/cli-entry.js', import.meta.url).href)) as typeof import('../../bin/cli-entry.js');
const { main } = (await import(cliEntry())) as { main: typeof cliMain };

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
