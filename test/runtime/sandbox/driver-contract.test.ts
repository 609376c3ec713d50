import { BubblewrapDriver } from '../../../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import { ProcessSandboxDriver } from '../../../src/runtime/sandbox/process/process-driver.js';
import { runDriverContract } from './driver-contract.js';
import { strictSkipReason } from './strict-requirements.js';

runDriverContract({
  name: 'process',
  makeDriver: async ({ instanceScript, bundlesDir }) => new ProcessSandboxDriver({ instanceScript, bundlesDir }),
});

runDriverContract({
  name: 'bubblewrap',
  makeDriver: ({ instanceScript }) => BubblewrapDriver.create({ instanceScript }),
  skip: await strictSkipReason(),
});
