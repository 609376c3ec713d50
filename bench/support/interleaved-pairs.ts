/**
 * A variant against its baseline, in short interleaved pairs: on a shared
 * machine the speed drifts by more than the few per cent being measured
 * within a minute, so each variant row is set beside a baseline row taken
 * seconds apart, the order alternating so neither side always runs second.
 * Used where a target is a small ratio (a budget's cost, an adapter's cost,
 * metering on vs off).
 */
import type { LoadClient } from '../load/load-client.js';
import type { BenchConfig } from './bench-config.js';
import { measureLoad, type MeasuredLoad } from './measure-load.js';
import { median, round } from './stats.js';

export interface PairedRuns {
  /** variant req/s ÷ baseline req/s, one per pair. */
  ratios: number[];
  baseline: MeasuredLoad[];
  variant: MeasuredLoad[];
}

export interface PairedSummary {
  medianRatio: number;
  /** Each order equally often: the geometric mean cancels what running first or second does to a side. */
  geometricMeanRatio: number;
  baselineRps: number;
  variantRps: number;
  /** Node (host) plus instance CPU per request, medians of the pairs. */
  baselineCpuUs: number;
  variantCpuUs: number;
  /** Non-2xx answers and errors over every run of either side: anything but 0 means refusals were measured. */
  bad: number;
}

export async function interleavedPairs(
  client: LoadClient, urls: { baseline: string; variant: string }, pairs: number, config: BenchConfig, others: ReadonlySet<number>,
): Promise<PairedRuns> {
  const runs: PairedRuns = { ratios: [], baseline: [], variant: [] };
  for (let pair = 0; pair < pairs; pair++) {
    const variantFirst = pair % 2 === 1;
    const first = await measureLoad(client, variantFirst ? urls.variant : urls.baseline, config, others);
    const second = await measureLoad(client, variantFirst ? urls.baseline : urls.variant, config, others);
    const [variant, baseline] = variantFirst ? [first, second] : [second, first];
    runs.baseline.push(baseline);
    runs.variant.push(variant);
    runs.ratios.push(variant.load.requestsPerSec / baseline.load.requestsPerSec);
  }
  return runs;
}

export function summarizePairs(runs: PairedRuns): PairedSummary {
  const cpu = (m: MeasuredLoad): number => m.serverCpuUsPerReq + m.instanceCpuUsPerReq;
  const bad = (m: MeasuredLoad): number => m.load.non2xx + m.load.errors;
  return {
    medianRatio: median(runs.ratios),
    geometricMeanRatio: Math.exp(runs.ratios.reduce((sum, r) => sum + Math.log(r), 0) / runs.ratios.length),
    baselineRps: median(runs.baseline.map((m) => m.load.requestsPerSec)),
    variantRps: median(runs.variant.map((m) => m.load.requestsPerSec)),
    baselineCpuUs: median(runs.baseline.map(cpu)),
    variantCpuUs: median(runs.variant.map(cpu)),
    bad: [...runs.baseline, ...runs.variant].reduce((sum, m) => sum + bad(m), 0),
  };
}

/** `0.96, 1.01, …`: every pair's ratio, for the notes. */
export function ratioList(runs: PairedRuns): string {
  return runs.ratios.map((r) => round(r, 2)).join(', ');
}

/** Shorter runs than a section's main rows: more pairs in the same time, each side 1 s of warm-up. */
export function pairRunConfig(config: BenchConfig): BenchConfig {
  return { ...config, warmupSec: 1, measureSec: Math.max(2, Math.round(config.measureSec / 2)) };
}
