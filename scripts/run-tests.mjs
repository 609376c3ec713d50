#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner.
// Node 20's `--test` takes file paths, not globs, so the list is built here.
// Pass a substring to run only matching files: `npm test -- queue`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...find(full));
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const filter = process.argv[2];
const files = find('dist/test').filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no test files match ${filter ?? '(all)'}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
