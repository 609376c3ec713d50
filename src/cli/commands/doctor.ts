import { resolve } from 'node:path';
import { flag, stringOption, type CliCommand, type CliContext, type ParsedArgs } from '../command.js';
import { adminClient, DEFAULT_DATA_DIR } from '../connection.js';
import { printJson } from '../output/table.js';
import { detectIsolation, type IsolationReport } from '../../runtime/sandbox/detect-isolation.js';
import { formatMode, inspectDataFolder, type PathMode } from '../../store/data-folder.js';

interface NodeInfo {
  isolation: { driver: string; level: string };
  dataDir?: string;
}

interface PathReport {
  path: string;
  /** `0700`-style, or null when missing. */
  mode: string | null;
  private: boolean;
}

interface DataFolderReport {
  folder: PathReport;
  stateFile: PathReport;
  warnings: string[];
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'what isolation this machine supports, what a running node uses, what is missing for strict, and whether the data folder is private',
  usage: 'nimbus doctor [--data DIR] [--json]',
  help: [
    '--data DIR  the data folder to check (default: the running node\'s, else NIMBUS_DATA or ./.nimbus)',
    '--json      print {machine, node, dataFolder} as JSON',
  ],
  options: { json: { type: 'boolean' }, data: { type: 'string' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const machine: IsolationReport = await detectIsolation();
    let node: NodeInfo | null = null;
    try {
      node = await adminClient(args, ctx).getJson<NodeInfo>('/node');
    } catch {
      node = null;
    }
    const dataFolder = checkDataFolder(dataDirOf(args, ctx, node));
    if (flag(args, 'json')) {
      printJson(ctx.out, { machine, node, dataFolder });
      return 0;
    }
    ctx.out(`this machine supports: ${machine.level} isolation`);
    ctx.out(`  bubblewrap: ${machine.bubblewrap ? 'yes' : 'no'}   user namespaces: ${machine.userNamespaces ? 'yes' : 'no'}   cgroups: ${machine.cgroups}   network policy: ${machine.network}`);
    ctx.out(node ? `the running node uses: ${node.isolation.level} isolation (${node.isolation.driver} driver)` : 'no running node answered (start one, or pass --url / --key)');
    if (machine.missing.length > 0) {
      ctx.out('missing for strict isolation:');
      for (const line of machine.missing) ctx.out(`  - ${line}`);
    }
    ctx.out(describe('data folder', dataFolder.folder));
    ctx.out(describe('state file', dataFolder.stateFile));
    for (const warning of dataFolder.warnings) ctx.out(`warning: ${warning}`);
    return 0;
  },
};

/** `--data`, else the folder the running node reports, else what `nimbus start` here would use. */
function dataDirOf(args: ParsedArgs, ctx: CliContext, node: NodeInfo | null): string {
  const given = stringOption(args, 'data');
  if (given !== undefined) return resolve(ctx.cwd, given);
  if (node?.dataDir) return node.dataDir;
  return resolve(ctx.cwd, ctx.env['NIMBUS_DATA'] || DEFAULT_DATA_DIR);
}

/** The data folder should be 0700 and the state file 0600: both hold everything the node knows. */
function checkDataFolder(dir: string): DataFolderReport {
  const { folder, stateFile } = inspectDataFolder(dir);
  const warnings: string[] = [];
  if (folder.mode !== null && !folder.private) {
    warnings.push(`the data folder ${folder.path} is open to other users (mode ${formatMode(folder.mode)}): chmod 700 it (nimbus start does this itself)`);
  }
  if (stateFile.mode !== null && !stateFile.private) {
    warnings.push(`the state file ${stateFile.path} is readable by other users (mode ${formatMode(stateFile.mode)}): chmod 600 it (nimbus start does this itself)`);
  }
  return { folder: report(folder), stateFile: report(stateFile), warnings };
}

function report(path: PathMode): PathReport {
  return { path: path.path, mode: path.mode === null ? null : formatMode(path.mode), private: path.private };
}

function describe(what: string, path: PathReport): string {
  if (path.mode === null) return `${what} ${path.path}: not found`;
  return `${what} ${path.path}: mode ${path.mode} (${path.private ? 'private' : 'open to other users'})`;
}
