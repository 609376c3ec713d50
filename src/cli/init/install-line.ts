/** A package the new app lists but cannot find installed, and the spec its package.json gives it. */
export interface MissingPackage {
  name: string;
  spec: string;
}

/**
 * The "Next:" line that installs what the app still lacks, and why. nimbus-functions is not on the npm registry yet:
 * with a registry spec (`^0.1.0`, written by an installed copy of Nimbus) `npm install` would fail on it, so the
 * line says to install the pack it came from instead, which brings the rest along.
 */
export function installLine(missing: readonly MissingPackage[]): string {
  const nimbus = missing.find(({ name }) => name === 'nimbus-functions');
  if (nimbus && !nimbus.spec.startsWith('file:')) {
    return '  npm i -D PATH/TO/nimbus-functions-*.tgz   # not on the npm registry yet: the pack you installed nimbus from (README, "Install in your own project")';
  }
  return `  npm install          # ${missing.map(noteOf).join(', ')}`;
}

/** What each missing package brings (a path says where nimbus-functions comes from). */
function noteOf({ name, spec }: MissingPackage): string {
  if (name === 'typescript') return 'typescript (tsc, for npm run typecheck)';
  if (name === '@types/node') return "@types/node (Node's types)";
  return `${name}${spec.startsWith('file:') ? ` from ${spec.slice('file:'.length)}` : ''} (the nimbus command, the SDK and its types)`;
}
