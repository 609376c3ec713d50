import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appDevDependencies } from '../../../src/cli/init/app-dependencies.js';
import type { OwnPackage } from '../../../src/cli/init/own-package.js';

const clone: OwnPackage = { name: 'nimbus-functions', version: '0.1.0', root: '/work/nimbus', checkout: true, dependencies: { typescript: '~5.9.3', '@types/node': '^20.19.0' } };

test('run from a clone, the app depends on the clone by a path relative to the app folder, where npm reads it', () => {
  assert.equal(appDevDependencies(clone, '/work/greeter')['nimbus-functions'], 'file:../nimbus', 'beside the clone');
  assert.equal(appDevDependencies(clone, '/work/nimbus/apps/greeter')['nimbus-functions'], 'file:../..', 'in a folder of the clone');
  assert.equal(appDevDependencies(clone, '/work/nimbus/greeter')['nimbus-functions'], 'file:..');
});

test('run from an installed package, the app depends on this version; typescript and Node\'s types at the versions Nimbus is checked with', () => {
  assert.deepEqual(appDevDependencies({ ...clone, checkout: false }, '/work/greeter'), { 'nimbus-functions': '^0.1.0', typescript: '~5.9.3', '@types/node': '^20.19.0' });
});
