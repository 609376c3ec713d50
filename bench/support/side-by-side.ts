/**
 * A variant and its baseline loaded at the same moment, each from its own
 * load-client process with half the connections: both see the same machine,
 * so the drift a shared machine shows from one second to the next (often more
 * than the few per cent a target allows) falls on both sides alike. On a
 * CPU-bound node the side whose requests cost more gets fewer of them.
 * `controlUrl` adds an A/A check: the baseline against an identical copy of
 * itself, whose ratio shows the method's own noise.
 */
import { LoadClient } from '../load/load-client.js';
import type { LoadResult } from '../load/messages.js';
import { median, round } from './stats.js';

export interface SideBySideRuns {
  /** variant req/s ÷ baseline req/s, one per window. */
  ratios: number[];
  baseline: LoadResult[];
  variant: LoadResult[];
}

export interface SideBySideSummary {
  medianRatio: number;
  geometricMeanRatio: number;
  baselineRps: number;
  variantRps: number;
  /** Non-2xx answers and errors on either side: anything but 0 means refusals were measured. */
  bad: number;
}

export interface SideBySideOptions {
  windows: number;
  windowSec: number;
  /** Per side. */
  connections: number;
  warmupSec: number;
}

/** Starts the two load clients it needs; `close` them when done. */
export async function startSideBySideClients(): Promise<[LoadClient, LoadClient]> {
  return [await LoadClient.start(), await LoadClient.start()];
}

export async function sideBySide(
  clients: readonly [LoadClient, LoadClient], urls: { baseline: string; variant: string }, options: SideBySideOptions,
): Promise<SideBySideRuns> {
  const [left, right] = clients;
  await Promise.all([left.load(urls.baseline, options.connections, options.warmupSec), right.load(urls.variant, options.connections, options.warmupSec)]);
  const runs: SideBySideRuns = { ratios: [], baseline: [], variant: [] };
  for (let window = 0; window < options.windows; window++) {
    // Each client takes each side in turn: a difference between the two client processes cancels too.
    const swap = window % 2 === 1;
    const [first, second] = await Promise.all([
      left.load(swap ? urls.variant : urls.baseline, options.connections, options.windowSec),
      right.load(swap ? urls.baseline : urls.variant, options.connections, options.windowSec),
    ]);
    const [baseline, variant] = swap ? [second, first] : [first, second];
    runs.baseline.push(baseline);
    runs.variant.push(variant);
    runs.ratios.push(variant.requestsPerSec / baseline.requestsPerSec);
  }
  return runs;
}

export function summarizeSideBySide(runs: SideBySideRuns): SideBySideSummary {
  return {
    medianRatio: median(runs.ratios),
    geometricMeanRatio: Math.exp(runs.ratios.reduce((sum, r) => sum + Math.log(r), 0) / runs.ratios.length),
    baselineRps: median(runs.baseline.map((l) => l.requestsPerSec)),
    variantRps: median(runs.variant.map((l) => l.requestsPerSec)),
    bad: [...runs.baseline, ...runs.variant].reduce((sum, l) => sum + l.non2xx + l.errors, 0),
  };
}

/** `0.96, 1.01, …`: every window's ratio, for the notes. */
export function windowRatios(runs: SideBySideRuns): string {
  return runs.ratios.map((r) => round(r, 3)).join(', ');
}
