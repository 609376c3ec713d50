/**
 * Tells the other nodes that an app changed in the store, so that each
 * reloads it (a deploy, rollback or removal: its live version; a secret
 * change: its instances' environment). Notices carry only the app's name:
 * the store is the truth, and a node that missed notices resyncs from it.
 */

export interface AppChangeNotice {
  /** The app; for `what: 'budget'`, the budget's name. */
  app: string;
  /** 'version': live version changed or app removed; 'secrets': its secrets changed; 'budget': a budget was set or removed. */
  what: 'version' | 'secrets' | 'budget';
}

export interface AppChangeFollower {
  /** Another node changed `notice.app`. */
  changed(notice: AppChangeNotice): void;
  /** Notices may have been missed (the listening connection was lost): reload everything. */
  resync(): void;
}

export interface ChangeFeed {
  /** Sends after the change committed; other nodes hear it, this one does not. */
  publish(notice: AppChangeNotice): Promise<void>;
  follow(follower: AppChangeFollower): Promise<void>;
  close(): Promise<void>;
}

/** The embedded mode has no other nodes: every change is already applied where it was made. */
export const LOCAL_CHANGE_FEED: ChangeFeed = {
  publish: async () => {},
  follow: async () => {},
  close: async () => {},
};
