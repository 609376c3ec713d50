import type { AdminRouter } from '../gateway/admin-router.js';
import type { Membership } from './membership.js';

/** `GET /_nimbus/api/v1/nodes`: every node of the cluster (on the SQLite store, this one). */
export function addNodesApi(router: AdminRouter, membership: Membership): void {
  router.add('GET', '/nodes', 'Cluster nodes: id, address, version, up since, last heartbeat, state, instances, load', async () => ({
    status: 200,
    body: { nodes: await membership.nodes() },
  }));
}
