// The worker thread of BackgroundTypeChecker: one incremental checker per app folder, one check at a time.
import { parentPort } from 'node:worker_threads';
import { AppTypeChecker } from './typecheck-app.js';
import { CliError } from '../cli-error.js';
import type { CheckReply, CheckRequest } from './background-typechecker.js';

const checkers = new Map<string, AppTypeChecker>();
let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (request: CheckRequest) => {
  queue = queue.then(async () => {
    let reply: CheckReply;
    try {
      let checker = checkers.get(request.appDir);
      if (!checker) checkers.set(request.appDir, (checker = new AppTypeChecker(request.appDir)));
      reply = { id: request.id, problems: await checker.check(request.entry) };
    } catch (err) {
      reply = { id: request.id, error: { message: err instanceof Error ? err.message : String(err), details: err instanceof CliError ? [...err.details] : [] } };
    }
    parentPort!.postMessage(reply);
  });
});
