/**
 * Bounds shared by the HTTP benches. Defaults are what docs/benchmarks.md was
 * made with; the environment can shorten them for a quick look
 * (`BENCH_SECONDS=3 BENCH_ROUNDS=1 npm run bench -- http`).
 */
export interface BenchConfig {
  /** Load before each measurement, not recorded: JIT, connection set-up, instance start. */
  warmupSec: number;
  measureSec: number;
  connections: number;
  /** Every measurement is repeated: the machine is shared and one run can be unlucky. */
  rounds: number;
  /** Cold-start samples per case. */
  coldSamples: number;
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  return {
    warmupSec: positive(env['BENCH_WARMUP_SECONDS'], 2),
    measureSec: positive(env['BENCH_SECONDS'], 10),
    connections: positive(env['BENCH_CONNECTIONS'], 50),
    rounds: positive(env['BENCH_ROUNDS'], 2),
    coldSamples: positive(env['BENCH_COLD_SAMPLES'], 30),
  };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
