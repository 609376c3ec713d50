/**
 * The queues section in a process of its own, for a run whose environment
 * must be set before the process starts (LD_PRELOAD): it sends its result to
 * the parent over IPC.
 */
import { benchQueues } from './queue-section.js';

const result = await benchQueues();
process.send?.(result, () => process.exit(0));
