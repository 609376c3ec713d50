import type { PgQueryable } from '../store/postgres/pg-database.js';
import type { PgNotifications } from '../store/postgres/pg-notifications.js';
import type { AppChangeFollower, AppChangeNotice, ChangeFeed } from './change-feed.js';

export const APP_CHANGES_CHANNEL = 'nimbus_app_changes';

interface WireNotice extends AppChangeNotice {
  /** The publishing node, which has applied the change already. */
  node: string;
}

/** The change feed over PostgreSQL NOTIFY on one channel; the node's one listening connection carries it. */
export class PgChangeFeed implements ChangeFeed {
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly db: PgQueryable,
    private readonly notifications: PgNotifications,
    private readonly nodeId: string,
  ) {}

  async publish(notice: AppChangeNotice): Promise<void> {
    const wire: WireNotice = { node: this.nodeId, app: notice.app, what: notice.what };
    await this.db.query('SELECT pg_notify($1, $2)', [APP_CHANGES_CHANNEL, JSON.stringify(wire)]);
  }

  async follow(follower: AppChangeFollower): Promise<void> {
    this.#unsubscribe.push(await this.notifications.listen(APP_CHANGES_CHANNEL, (payload) => {
      const notice = parseNotice(payload);
      if (notice && notice.node !== this.nodeId) follower.changed({ app: notice.app, what: notice.what });
    }));
    this.#unsubscribe.push(this.notifications.onReconnect(() => follower.resync()));
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }
}

/** Anyone who can reach the database can NOTIFY: a malformed notice is dropped. */
function parseNotice(payload: string): WireNotice | undefined {
  try {
    const value = JSON.parse(payload) as Partial<WireNotice> | null;
    if (typeof value?.node !== 'string' || typeof value.app !== 'string') return undefined;
    if (value.what !== 'version' && value.what !== 'secrets' && value.what !== 'budget') return undefined;
    return { node: value.node, app: value.app, what: value.what };
  } catch {
    return undefined;
  }
}
