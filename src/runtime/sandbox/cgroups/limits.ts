/** Node starts about 7 threads and pids.max counts threads: room for libuv's pool, workers' absence, and a little more. */
export const DEFAULT_PIDS_MAX = 64;
/** cpu.shares (v1) given to 1 MiB when a function set no cpuShares: 128 MiB gets the kernel's default 1024. */
export const CPU_SHARES_PER_MB = 8;
const V1_SHARES_MIN = 2;
const V1_SHARES_MAX = 262_144;
const V2_WEIGHT_MIN = 1;
const V2_WEIGHT_MAX = 10_000;
/** The CFS period a CPU quota is expressed against. */
export const CPU_PERIOD_MICROS = 100_000;

/** What a sandbox group is limited to, in the units the kernel takes. */
export interface CgroupLimits {
  memoryBytes: number;
  /** v1 `cpu.shares` scale (2…262144, default 1024). v2 converts it to `cpu.weight`. */
  cpuShares: number;
  pidsMax: number;
  /** Hard CPU ceiling in CPUs (e.g. 0.5); absent means only the share applies. */
  cpuQuota?: number;
}

export interface LimitRequest {
  memoryMb: number;
  /** 0 or absent: proportional to memory. */
  cpuShares?: number;
  pidsMax?: number;
  cpuQuota?: number;
}

export function cgroupLimitsFor(request: LimitRequest): CgroupLimits {
  const shares = request.cpuShares && request.cpuShares > 0 ? request.cpuShares : request.memoryMb * CPU_SHARES_PER_MB;
  return {
    memoryBytes: Math.floor(request.memoryMb * 1024 * 1024),
    cpuShares: Math.round(Math.min(V1_SHARES_MAX, Math.max(V1_SHARES_MIN, shares))),
    pidsMax: request.pidsMax ?? DEFAULT_PIDS_MAX,
    ...(request.cpuQuota !== undefined ? { cpuQuota: request.cpuQuota } : {}),
  };
}

/** The shares→weight mapping runc and systemd use, so 1024 shares ≈ weight 39 and the extremes line up. */
export function sharesToWeight(shares: number): number {
  const weight = 1 + Math.round(((shares - V1_SHARES_MIN) * (V2_WEIGHT_MAX - 1)) / (V1_SHARES_MAX - V1_SHARES_MIN));
  return Math.min(V2_WEIGHT_MAX, Math.max(V2_WEIGHT_MIN, weight));
}
