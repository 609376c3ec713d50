import { flag, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import { printJson } from '../output/table.js';
import { detectIsolation, type IsolationReport } from '../../runtime/sandbox/detect-isolation.js';

interface NodeInfo {
  isolation: { driver: string; level: string };
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'what isolation this machine supports, what a running node uses, and what is missing for strict',
  usage: 'nimbus doctor [--json]',
  help: ['--json  print {machine, node} as JSON'],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const machine: IsolationReport = await detectIsolation();
    let node: NodeInfo | null = null;
    try {
      node = await adminClient(args, ctx).getJson<NodeInfo>('/node');
    } catch {
      node = null;
    }
    if (flag(args, 'json')) {
      printJson(ctx.out, { machine, node });
      return 0;
    }
    ctx.out(`this machine supports: ${machine.level} isolation`);
    ctx.out(`  bubblewrap: ${machine.bubblewrap ? 'yes' : 'no'}   user namespaces: ${machine.userNamespaces ? 'yes' : 'no'}   cgroups: ${machine.cgroups}   network policy: ${machine.network}`);
    ctx.out(node ? `the running node uses: ${node.isolation.level} isolation (${node.isolation.driver} driver)` : 'no running node answered (start one, or pass --url / --key)');
    if (machine.missing.length > 0) {
      ctx.out('missing for strict isolation:');
      for (const line of machine.missing) ctx.out(`  - ${line}`);
    }
    return 0;
  },
};
