import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs } from './common.js';

const clusterNode = z.looseObject({
  id: z.string(), address: z.string(), version: z.string(), startedAt: epochMs, lastHeartbeat: epochMs, heartbeatAgeMs: z.number(),
  state: z.enum(['alive', 'dead', 'stopped']), instances: z.number(), load: z.number(),
});

export const nodeRoutes = {
  node: adminRoute({
    method: 'GET', path: '/node', summary: 'This node: isolation in force, warm pool, memory budget, instances',
    response: z.looseObject({
      nodeId: z.string(), dataDir: z.string(), isolation: z.looseObject({ driver: z.string(), level: z.string(), report: z.unknown() }),
      warmPool: z.array(z.looseObject({ memoryMb: z.number(), ready: z.number() })),
      instances: z.array(z.looseObject({ app: z.string(), version: z.number(), functionName: z.string(), instances: z.number(), inflight: z.number(), waiting: z.number() })),
    }),
  }),
  nodes: adminRoute({
    method: 'GET', path: '/nodes', summary: 'Cluster nodes: id, address, version, up since, last heartbeat, state, instances, load',
    response: z.object({ nodes: z.array(clusterNode) }),
  }),
};
