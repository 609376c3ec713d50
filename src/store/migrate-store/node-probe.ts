import { readNodeUrlFile } from '../../server/node-url-file.js';

/** Long enough for a busy node to answer, short enough that a dead URL does not hold the command up. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The URL of the node that owns `dataDir` if it still answers there, else
 * undefined. The node writes `<dataDir>/url` at every start and leaves it
 * behind at stop, so the file alone says nothing: the node is asked.
 */
export async function runningNodeOf(dataDir: string): Promise<string | undefined> {
  const url = readNodeUrlFile(dataDir);
  if (url === undefined) return undefined;
  try {
    await fetch(new URL('/_nimbus/ready', url), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return url;
  } catch {
    // Refused, unreachable or silent: nothing is running there.
    return undefined;
  }
}
