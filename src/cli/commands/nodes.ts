import { flag, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import type { NodeSummary } from '../admin-client.js';
import { humanDuration, isoTime } from '../output/durations.js';
import { formatTable, printListing } from '../output/table.js';

export const nodesCommand: CliCommand = {
  name: 'nodes',
  summary: 'list the nodes of the cluster and whether each is alive',
  usage: 'nimbus nodes [--json]',
  help: [
    'One row per node: id, address, version, up since, last heartbeat, state (alive, dead, stopped), running instances and invocations in flight.',
    'On the embedded SQLite store the cluster is the one node.',
    '--json  print {nodes: [...]} as the admin API returns it',
  ],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const nodes = await adminClient(args, ctx).listNodes();
    printListing(ctx.out, flag(args, 'json'), {
      json: { nodes },
      empty: nodes.length === 0,
      emptyLine: 'No nodes registered.',
      lines: () => formatNodesTable(nodes),
    });
    return 0;
  },
};

export function formatNodesTable(nodes: readonly NodeSummary[]): string[] {
  return formatTable(
    ['NODE', 'ADDRESS', 'VERSION', 'STATE', 'UP SINCE', 'HEARTBEAT', 'INSTANCES', 'LOAD'],
    nodes.map((n) => [
      n.id, n.address, n.version, n.state, isoTime(n.startedAt), `${humanDuration(n.heartbeatAgeMs)} ago`, String(n.instances), String(n.load),
    ]),
  );
}
