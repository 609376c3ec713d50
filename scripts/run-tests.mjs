#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner.
// Node 20's `--test` takes file paths, not globs, so the list is built here.
// Pass a substring to run only matching files: `npm test -- queue`.
//
// One throwaway PostgreSQL server serves the whole run (each test makes its
// own database on it); its URL reaches the test processes in the environment.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

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

const postgres = await import(pathToFileURL(resolve('dist/test/helpers/postgres-server.js')).href);
let server;
const env = { ...process.env };
if (!env[postgres.POSTGRES_URL_ENV] && !postgres.postgresUnavailable()) {
  server = await postgres.startPostgres();
  env[postgres.POSTGRES_URL_ENV] = server.url();
}

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
await server?.remove();
process.exit(status);
