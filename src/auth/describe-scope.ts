import type { KeyScope } from '../store/key-store.js';

/** A key's scope in a few words, as `nimbus keys ls` and the console's key list show it (no Node.js imports: the console bundles it). */
export function describeScope(scope: KeyScope): string {
  switch (scope.kind) {
    case 'function':
      return scope.fn === undefined ? `functions of ${scope.app}` : `function ${scope.app}/${scope.fn}`;
    case 'producer':
      return `producer for ${scope.queues.join(', ')}`;
    case 'blobs':
      return `blobs ${scope.buckets.join(', ')} (${scope.access === 'read' ? 'read-only' : 'read-write'})`;
    case 'admin':
      return 'admin';
    case 'read':
      return 'read';
  }
}
