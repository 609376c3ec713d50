/**
 * How the slot table tells a live node from a dead one, as SQL: membership
 * owns the table of nodes and their heartbeats; the slots only need a
 * predicate they can put into their own statements.
 */
export interface NodeLiveness {
  /** A SQL boolean expression, true while the node whose id is the SQL expression `nodeId` counts as alive. */
  aliveSql(nodeId: string): string;
}

export interface HeartbeatTable {
  /** Default cluster_nodes. */
  table?: string;
  /** Default id. */
  idColumn?: string;
  /** A timestamptz set from the database's clock; default heartbeat_at. */
  heartbeatColumn?: string;
  /** A node whose heartbeat is older than this is dead; default 10 s. */
  deadAfterMs?: number;
}

export const DEFAULT_DEAD_AFTER_MS = 10_000;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Alive = registered with a heartbeat younger than deadAfterMs, measured on
 * the database's clock (node clocks may disagree). A node with no row counts
 * as dead: it must register before it takes slots.
 */
export function heartbeatLiveness(options: HeartbeatTable = {}): NodeLiveness {
  const table = identifier(options.table ?? 'cluster_nodes');
  const id = identifier(options.idColumn ?? 'id');
  const heartbeat = identifier(options.heartbeatColumn ?? 'heartbeat_at');
  const deadAfterMs = options.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
  if (!Number.isInteger(deadAfterMs) || deadAfterMs <= 0) throw new Error(`deadAfterMs must be a positive integer, not ${deadAfterMs}`);
  return {
    aliveSql: (nodeId) =>
      `EXISTS (SELECT 1 FROM ${table} live WHERE live.${id} = ${nodeId} AND live.${heartbeat} > clock_timestamp() - interval '${deadAfterMs} milliseconds')`,
  };
}

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}
