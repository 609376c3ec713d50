import type { AdminClient, DeployResult } from './admin-client.js';
import { bundleApp, type BundleOptions } from './bundle/bundle-app.js';
import { formatTable } from './output/table.js';

/** Bundle an app folder and upload it as the app's next version. Used by deploy, dev and start --example. */
export async function deployApp(client: AdminClient, dir: string, options: BundleOptions = {}): Promise<DeployResult> {
  const { appName, bundle, sourceMap } = await bundleApp(dir, options);
  return client.deploy(appName, { bundle, sourceMap });
}

/** `Deployed <app> v<N>`, then one indented row per function with its route and URL. */
export function formatDeployResult(result: DeployResult): string[] {
  const rows = result.functions.map((f) => [f.name, f.kind, f.route ?? '-', f.url ?? '-']);
  const table = rows.length > 0 ? formatTable(['FUNCTION', 'KIND', 'ROUTE', 'URL'], rows).map((l) => `  ${l}`) : [];
  return [`Deployed ${result.app} v${result.version}`, ...table];
}

/** One `warning: …` line per warning the node gave with the deploy. */
export function formatDeployWarnings(result: DeployResult): string[] {
  return (result.warnings ?? []).map((warning) => `warning: ${warning}`);
}
