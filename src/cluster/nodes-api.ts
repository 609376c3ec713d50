import type { AdminRouter } from '../gateway/admin-router.js';
import { nodeRoutes } from '../gateway/admin-routes/node.js';
import type { Membership } from './membership.js';

/** `GET /_nimbus/api/v1/nodes`: every node of the cluster (on the SQLite store, this one). */
export function addNodesApi(router: AdminRouter, membership: Membership): void {
  router.add(nodeRoutes.nodes, async () => ({ status: 200, body: { nodes: await membership.nodes() } }));
}
