import { appRoutes } from './apps.js';
import { blobRoutes } from './blobs.js';
import { budgetRoutes } from './budgets.js';
import { keyRoutes } from './keys.js';
import { meteringRoutes } from './metering.js';
import { nodeRoutes } from './node.js';
import { queueRoutes } from './queues.js';
import { secretRoutes } from './secrets.js';
import { sessionRoutes } from './session.js';
import { timerRoutes } from './timers.js';

/** Every admin API route, by area: what the node serves and what clients call (docs/admin-api.md). */
export const adminRoutes = {
  apps: appRoutes,
  keys: keyRoutes,
  secrets: secretRoutes,
  queues: queueRoutes,
  timers: timerRoutes,
  metering: meteringRoutes,
  node: nodeRoutes,
  blobs: blobRoutes,
  budgets: budgetRoutes,
  session: sessionRoutes,
};
