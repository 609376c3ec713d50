import { NimbusError } from '../shared/errors.js';
import type { KeyScope } from '../store/key-store.js';
import type { DeploymentRegistry } from './deployments.js';

/**
 * Whether an admin request names an app or function this node knows, so that
 * a typo is a 404 with a code instead of an empty answer. An app is known
 * while it is deployed; a function while any version of its app has it (its
 * logs outlive a deploy that dropped it).
 */
export class KnownNames {
  constructor(private readonly deployments: DeploymentRegistry) {}

  requireApp(app: string): void {
    if (this.deployments.liveVersion(app) === undefined) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', app);
  }

  async requireFunction(app: string, fn: string): Promise<void> {
    this.requireApp(app);
    if (this.deployments.live().find((v) => v.app === app)?.functions.some((f) => f.name === fn)) return;
    const versions = await this.deployments.versions(app);
    if (!versions.some((v) => v.functions.some((f) => f.name === fn))) throw new NimbusError('NIMBUS_ERR_FUNCTION_NOT_FOUND', `${app}/${fn}`);
  }

  /** A function key names a deployed app (and function); producer and blobs keys may come before their queues and buckets. */
  async checkKeyScope(scope: KeyScope): Promise<void> {
    if (scope.kind !== 'function') return;
    if (scope.fn === undefined) this.requireApp(scope.app);
    else await this.requireFunction(scope.app, scope.fn);
  }
}
