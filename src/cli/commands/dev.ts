import { join, resolve } from 'node:path';
import { AdminClient } from '../admin-client.js';
import { flag, stringOption, type CliCommand } from '../command.js';
import { AppDeployer } from '../deploy-app.js';
import { DevConsole } from '../dev/dev-console.js';
import { DevSession } from '../dev/dev-session.js';
import { clockTime } from '../dev/format-log-line.js';
import { formatPlatformLine } from '../dev/format-platform-line.js';
import { watchApp } from '../dev/watch-app.js';
import { describeRunningNode } from '../node-banner.js';
import { NODE_OPTIONS, NODE_OPTIONS_HELP, readNodeOptions } from '../node-options.js';
import { stepProgress } from '../output/step-progress.js';
import { waitForStopSignal } from '../signals.js';
import { startNodeFor } from '../start-node.js';

export const devCommand: CliCommand = {
  name: 'dev',
  summary: 'run a node for one app folder, redeploying it on every save',
  usage: 'nimbus dev DIR [--port 8080] [--data DIR/.nimbus] [--app NAME] [--entry FILE] [--no-typecheck] [--create-budgets]',
  help: [
    ...NODE_OPTIONS_HELP,
    '--data DIR      data folder (default DIR/.nimbus)',
    '--app NAME      app name (default: package.json name, else the folder name)',
    '--entry FILE    entry module (default: index.ts, index.js, then package.json main)',
    '--no-typecheck  skip the TypeScript check before each deploy',
    '--create-budgets  create each budget the functions name (`uses`) that does not exist (concurrency 10), on every deploy',
    'Function logs print as HH:MM:SS function [invocation] message; the same line repeated folds into one with a count (tick ×12).',
    'The node\'s own events print as HH:MM:SS nimbus: message key=value. A save that does not build is reported and the last good version keeps serving.',
  ],
  options: { ...NODE_OPTIONS, app: { type: 'string' }, entry: { type: 'string' }, 'no-typecheck': { type: 'boolean' }, 'create-budgets': { type: 'boolean' } },
  positionals: { names: ['DIR'] },
  async run(args, ctx) {
    const dir = resolve(ctx.cwd, args.positionals[0]!);
    const options = readNodeOptions(args, ctx, 'dev', join(dir, '.nimbus'));
    const bundleOptions = {
      app: stringOption(args, 'app'), entry: stringOption(args, 'entry'), typecheck: !flag(args, 'no-typecheck'), createBudgets: flag(args, 'create-budgets'),
    };
    const isTTY = ctx.isTTY ?? false;
    const devConsole = new DevConsole({ out: ctx.out, err: ctx.err, write: (chunk) => ctx.write(chunk), isTTY });
    // Listen for Ctrl+C from the start: a stop during start-up or the first deploy must still close the node cleanly.
    const stopSignal = waitForStopSignal(ctx.signals);
    const node = await startNodeFor(ctx, {
      ...options,
      // The developer calls the routes: a failure's answer names the error, as the logs beside it do.
      showFunctionErrors: true,
      logDestination: { write: (json: string) => void printPlatformLine(devConsole, json) },
    });
    devConsole.line(`Nimbus dev is running at ${node.url}`);
    describeRunningNode(node, options, options.adminKey !== undefined).forEach((line) => devConsole.line(line));

    const stopLogs = node.onFunctionLog((line) => devConsole.functionLog(line));
    const deployer = new AppDeployer(new AdminClient(node.url, node.adminKey), dir, {
      ...bundleOptions, incremental: true, typecheckInBackground: true,
    });
    const session = new DevSession({
      deployer,
      out: (line) => devConsole.line(line),
      err: (line) => devConsole.line(line, 'stderr'),
      firstDeploy: stepProgress(ctx.out, (chunk) => ctx.write(chunk), isTTY, { finishedLines: false }),
    });
    // Watch before the first deploy: a save made while it type-checks and bundles must cause one more deploy, not be lost.
    const watcher = watchApp(dir, () => void session.redeploy(), {
      ignore: [options.dataDir],
      onWarning: (message) => devConsole.line(`${clockTime(Date.now())} ${message}`, 'stderr'),
    });
    await session.redeploy();
    devConsole.line(`Watching ${dir} for changes. Press Ctrl+C to stop.`);

    await stopSignal;
    watcher.close();
    await session.close();
    stopLogs();
    await node.close();
    devConsole.close();
    await deployer.dispose();
    return 0;
  },
};

function printPlatformLine(devConsole: DevConsole, json: string): void {
  const { text, stream } = formatPlatformLine(json);
  devConsole.line(text, stream);
}
