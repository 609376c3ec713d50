/**
 * Every benchmark section, in the order `npm run bench` runs them when no
 * names are given. Adding a bench is one line here.
 */
import { coldStartSection } from './http/cold-start-section.js';
import { httpProfileSection } from './http/profile-section.js';
import { warmThroughputSection } from './http/warm-throughput-section.js';
import type { BenchSection } from './section.js';

export const sections: readonly BenchSection[] = [
  warmThroughputSection,
  coldStartSection,
  httpProfileSection,
  // Benches written on other branches join here once merged, one line each:
  //   { name: 'timers', title: '…', run: () => benchTimers() },            // bench/timers.ts
  //   { name: 'blobs', title: '…', run: () => withTempDir(benchBlobs) },   // bench/blobs.ts (takes a scratch folder)
  //   { name: 'sandbox', title: '…', run: () => benchSandbox() },          // bench/sandbox.ts
  //   { name: 'metering', title: '…', run: () => benchRecorder() },        // bench/metering.ts
];
