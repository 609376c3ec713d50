import type { FormatAdapter } from './app-format.js';
import { azureFormat } from './azure/azure-format.js';
import { lambdaFormat } from './lambda/lambda-format.js';
import { workersFormat } from './workers/workers-format.js';

/** Every foreign format this build can deploy, in the order detection tries them. */
export const FORMAT_ADAPTERS: readonly FormatAdapter[] = [
  lambdaFormat,
  workersFormat,
  azureFormat,
];
