import { detectIsolation } from '../../../src/runtime/sandbox/detect-isolation.js';

/**
 * Why strict-sandbox tests cannot run here, or false. They must run in CI
 * (root, Debian, bubblewrap + nftables + iproute2 installed); elsewhere they
 * skip and say what is missing.
 */
export async function strictSkipReason(): Promise<string | false> {
  const report = await detectIsolation();
  if (report.level === 'strict') return false;
  return `strict isolation unavailable here: ${report.missing.join('; ')}`;
}

/** Bubblewrap alone (no root needed): for tests of files and namespaces, not network policy or cgroups. */
export async function bubblewrapSkipReason(): Promise<string | false> {
  const report = await detectIsolation();
  if (report.bubblewrap && report.userNamespaces) return false;
  return `bubblewrap with user namespaces unavailable here: ${report.missing.join('; ')}`;
}
