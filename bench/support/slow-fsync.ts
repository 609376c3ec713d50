import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The C source stays beside the bench's TypeScript: from dist/bench/support/ it is three folders up. */
const SOURCE = fileURLToPath(new URL('../../../bench/support/slow-fsync.c', import.meta.url));

/**
 * Builds the LD_PRELOAD library that makes every fsync of a process wait first (see slow-fsync.c), with the
 * machine's C compiler; a machine without one skips the rows that need it.
 */
export async function buildSlowFsync(): Promise<{ library: string } | { skipped: string }> {
  const library = join(mkdtempSync(join(tmpdir(), 'nimbus-bench-fsync-')), 'slow-fsync.so');
  try {
    await promisify(execFile)('cc', ['-shared', '-fPIC', '-O2', '-o', library, SOURCE, '-ldl']);
    return { library };
  } catch (error) {
    return { skipped: `no C compiler to build the slow-fsync library (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}
