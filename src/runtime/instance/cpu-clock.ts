/**
 * The instance process's CPU time, for metering each invocation.
 *
 * Reading it is a getrusage(2) call, 2–10 µs on these VMs, and an invocation
 * needs two readings: under load that was a sixth of the instance's work per
 * request. A reading younger than FRESH_MS of wall time is reused, so under
 * load one reading serves the invocations starting and ending around it,
 * while each end of an invocation still undercounts by at most FRESH_MS.
 */
const FRESH_MS = 0.1;

let readAt = Number.NEGATIVE_INFINITY;
let lastMicros = 0;

/** Process CPU time (user + system) in µs, at most FRESH_MS stale. */
export function cpuMicrosNow(): number {
  const now = performance.now();
  if (now - readAt > FRESH_MS) {
    const usage = process.cpuUsage();
    lastMicros = usage.user + usage.system;
    readAt = now;
  }
  return lastMicros;
}
