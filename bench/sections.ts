/**
 * Every benchmark section, in the order `npm run bench` runs them when no
 * names are given. Adding a bench is one line here.
 */
import { coldStartSection } from './http/cold-start-section.js';
import { httpLatencySection } from './http/latency-section.js';
import { httpProfileSection } from './http/profile-section.js';
import { warmThroughputSection } from './http/warm-throughput-section.js';
import { budgetsSection } from './budgets/budgets-section.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBlobs } from './blobs.js';
import { benchRecorder } from './metering.js';
import { benchSandbox } from './sandbox.js';
import type { BenchSection, SectionResult } from './section.js';
import { benchTimers } from './timers.js';
import { blobEventSection } from './triggers/blob-event-section.js';
import { gettingStartedSection } from './getting-started/section.js';
import { queueSection } from './triggers/queue-section.js';
import { queueSlowDiskSection } from './triggers/queue-slow-disk-section.js';
import { clusterSection } from './cluster/cluster-section.js';
import { scaleSection } from './scale/scale-section.js';
import { consoleSection } from './console/console-section.js';
import { adaptersSection } from './adapters/adapters-section.js';

async function withScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const sections: readonly BenchSection[] = [
  warmThroughputSection,
  budgetsSection,
  httpLatencySection,
  coldStartSection,
  httpProfileSection,
  { name: 'sandbox', title: 'Sandbox spawn and assign + first answer: plain process vs strict isolation', run: () => benchSandbox() as Promise<SectionResult> },
  queueSection,
  queueSlowDiskSection,
  blobEventSection,
  { name: 'blobs', title: 'Blob upload/download of 256 MB through the HTTP API vs a bare node:http server streaming to/from a file (fsync on upload)', run: () => withScratchDir((dir) => benchBlobs(dir)) as Promise<SectionResult> },
  { name: 'timers', title: 'Timer firing jitter (every-second timer on a real node, handler start vs scheduled) and the cost of 10,000 idle timers', run: () => benchTimers() as Promise<SectionResult> },
  gettingStartedSection,
  clusterSection,
  scaleSection,
  consoleSection,
  adaptersSection,
  { name: 'metering', title: 'Lifecycle hook cost per invocation with and without metering, metrics and batched writes', run: () => benchRecorder() as unknown as Promise<SectionResult> },
];
