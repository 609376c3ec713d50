import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import type { ResponseOf, routes } from './api/endpoints.js';

/** What `GET /whoami` says the key may do: admin, read, or a narrower scope the console refuses. */
export type ConsoleScope = ResponseOf<typeof routes.session.whoami>['scope'];

/** Who is signed in: the API client with their key, and what that key may do. */
export interface Session {
  api: ApiClient;
  scope: ConsoleScope;
  /** False for a read-only key: pages hide actions that change things. */
  canWrite: boolean;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** Keys that can use the console: the admin API's, whole or read-only. */
export function canUseConsole(scope: ConsoleScope): boolean {
  return scope.kind === 'admin' || scope.kind === 'read';
}
