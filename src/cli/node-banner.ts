import { basename, dirname, join } from 'node:path';
import { NODE_URL_FILE } from '../server/node-url-file.js';
import type { NimbusNode, NodeOptions } from '../server/node.js';
import { ADMIN_KEY_FILE, DEFAULT_DATA_DIR } from './connection.js';

/**
 * What `start` and `dev` print once the node listens: where it is, where its
 * admin key is, and from where the CLI finds both without --url or --key.
 */
export function describeRunningNode(node: NimbusNode, options: NodeOptions, keyFromEnv: boolean): string[] {
  const keyFile = join(options.dataDir, ADMIN_KEY_FILE);
  const lines: string[] = [];
  if (keyFromEnv) lines.push('Admin key: from NIMBUS_ADMIN_KEY');
  else if (node.adminKeyGenerated) lines.push(`Admin key (shown once, saved to ${keyFile}): ${node.adminKey}`);
  else lines.push(`Admin key: in ${keyFile}`);
  const where = basename(options.dataDir) === DEFAULT_DATA_DIR
    ? `run in ${dirname(options.dataDir)}`
    : `run with NIMBUS_DATA=${options.dataDir}`;
  lines.push(`The CLI ${where} talks to this node (its URL is in ${join(options.dataDir, NODE_URL_FILE)}).`);
  return lines;
}
