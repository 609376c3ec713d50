import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installLine } from '../../../src/cli/init/install-line.js';

test('an app that lists nimbus-functions from the registry is told to install the pack instead: npm install would fail on it', () => {
  const line = installLine([{ name: 'nimbus-functions', spec: '^0.1.0' }, { name: 'typescript', spec: '~5.9.3' }]);
  assert.match(line, /^ {2}npm i -D PATH\/TO\/nimbus-functions-\*\.tgz {3}# not on the npm registry yet/);
  assert.doesNotMatch(line, /npm install/);
});

test('otherwise npm install, with what each missing package brings', () => {
  assert.equal(
    installLine([{ name: 'nimbus-functions', spec: 'file:../nimbus' }, { name: 'typescript', spec: '~5.9.3' }, { name: '@types/node', spec: '^20.19.0' }]),
    "  npm install          # nimbus-functions from ../nimbus (the nimbus command, the SDK and its types), typescript (tsc, for npm run typecheck), @types/node (Node's types)",
  );
  assert.equal(installLine([{ name: 'typescript', spec: '~5.9.3' }]), '  npm install          # typescript (tsc, for npm run typecheck)');
});
