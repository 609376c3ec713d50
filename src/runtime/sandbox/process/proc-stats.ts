import { readFile } from 'node:fs/promises';

const PAGE_BYTES = 4096;
const CLOCK_TICKS_PER_SECOND = 100;

/** RSS and CPU of one process from /proc (Linux); zeros elsewhere. */
export async function readProcStats(pid: number): Promise<{ rssBytes: number; cpuMicros: number }> {
  try {
    const [statm, stat] = await Promise.all([readFile(`/proc/${pid}/statm`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
    const rssPages = Number(statm.split(' ')[1] ?? 0);
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    return { rssBytes: rssPages * PAGE_BYTES, cpuMicros: (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return { rssBytes: 0, cpuMicros: 0 };
  }
}
