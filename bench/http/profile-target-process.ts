/**
 * Entry of the child process the profile section runs under `--cpu-prof`:
 * a Nimbus node serving the hello function, and nothing else, so the
 * profile shows only the host's cost per request. It tells the parent its
 * URL over IPC and stops (writing the profile on exit) when told to.
 */
import { startBenchNode } from '../support/bench-node.js';
import { helloAppSource, type HelloFunction } from './hello-app.js';

const PROFILED_FUNCTION: HelloFunction = { name: 'hello', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } };

const node = await startBenchNode();
await node.deploy('bench', helloAppSource([PROFILED_FUNCTION]));
process.send?.({ url: node.url });
process.once('message', () => {
  void node.dispose().then(() => process.exit(0));
});
