import { resolve } from 'node:path';
import { AdminClient } from '../admin-client.js';
import { stringOption, type CliCommand } from '../command.js';
import { deployApp, formatDeployResult, formatDeployWarnings } from '../deploy-app.js';
import { describeRunningNode } from '../node-banner.js';
import { stepProgress } from '../output/step-progress.js';
import { NODE_OPTIONS, NODE_OPTIONS_HELP, readNodeOptions } from '../node-options.js';
import { waitForStopSignal } from '../signals.js';
import { startNodeFor } from '../start-node.js';

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'run a Nimbus node in the foreground',
  usage: 'nimbus start [--host 127.0.0.1] [--port 8080] [--data ./.nimbus] [--store URL] [--blobs URL] [--address URL] [--example DIR]',
  help: [
    ...NODE_OPTIONS_HELP,
    '--data DIR    data folder: state, bundles, blobs, admin key (env NIMBUS_DATA; default ./.nimbus)',
    '--example DIR deploy the app in DIR once the node is up',
    'SIGINT or SIGTERM stops the node gracefully.',
  ],
  options: { ...NODE_OPTIONS, example: { type: 'string' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const options = readNodeOptions(args, ctx, 'start');
    // Listen for Ctrl+C from the start: a stop during start-up or the first deploy must still close the node cleanly.
    const stopSignal = waitForStopSignal(ctx.signals);
    const node = await startNodeFor(ctx, options);
    ctx.out(`Nimbus is running at ${node.url}`);
    describeRunningNode(node, options, options.adminKey !== undefined).forEach((line) => ctx.out(line));

    const example = stringOption(args, 'example');
    if (example !== undefined) {
      try {
        const { result, totalMs } = await deployApp(
          new AdminClient(node.url, node.adminKey), resolve(ctx.cwd, example), { skipUnchanged: true }, stepProgress(ctx.out, (chunk) => ctx.write(chunk), ctx.isTTY ?? false),
        );
        formatDeployResult(result, totalMs).forEach((line) => ctx.out(line));
        formatDeployWarnings(result).forEach((line) => ctx.err(line));
      } catch (err) {
        // A node that was asked to serve an example and cannot is a failed start, not a half-working one.
        await node.close();
        throw err;
      }
    }

    ctx.out('Press Ctrl+C to stop.');
    const signal = await stopSignal;
    ctx.out(`${signal}: stopping…`);
    await node.close();
    ctx.out('Stopped.');
    return 0;
  },
};
