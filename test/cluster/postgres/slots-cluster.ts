import { PgInstanceSlots } from '../../../src/cluster/postgres/pg-instance-slots.js';
import { heartbeatLiveness } from '../../../src/cluster/postgres/node-liveness.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { PgNotifications } from '../../../src/store/postgres/pg-notifications.js';
import { freshMigratedDatabase } from '../../store/postgres/helpers.js';

/** Stands in for membership's table of nodes: the slots only see it through the liveness predicate. */
const STAND_IN_NODES = `CREATE TABLE test_cluster_nodes (id text PRIMARY KEY, heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp())`;

export interface SlotsNode {
  slots: PgInstanceSlots;
  /** Writes a heartbeat now, as membership does periodically. */
  heartbeat(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Nodes sharing one fresh database, each with its own pool and LISTEN
 * connection, as separate processes would have. Closing closes them all.
 */
export async function slotsCluster(options: { deadAfterMs: number; recheckMs?: number }) {
  const database = await freshMigratedDatabase();
  await database.db.query(STAND_IN_NODES);
  const liveness = heartbeatLiveness({ table: 'test_cluster_nodes', deadAfterMs: options.deadAfterMs });
  const nodes: SlotsNode[] = [];

  async function node(nodeId: string): Promise<SlotsNode> {
    const heartbeat = async (): Promise<void> => {
      await database.db.query(
        'INSERT INTO test_cluster_nodes (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET heartbeat_at = clock_timestamp()', [nodeId]);
    };
    await heartbeat();
    const db = new PgDatabase(database.url, { poolSize: 4 });
    const notifications = new PgNotifications(database.url);
    await notifications.start();
    const slots = new PgInstanceSlots(db, notifications, { nodeId, liveness, recheckMs: options.recheckMs ?? 100 });
    await slots.start();
    let closed = false;
    const made: SlotsNode = {
      slots,
      heartbeat,
      async close() {
        if (closed) return;
        closed = true;
        await slots.close();
        await notifications.close();
        await db.close();
      },
    };
    nodes.push(made);
    return made;
  }

  return {
    db: database.db,
    node,
    async close() {
      for (const n of nodes) await n.close();
      await database.close();
    },
  };
}
