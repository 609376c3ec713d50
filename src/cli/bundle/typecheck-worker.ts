// The child process of BackgroundTypeChecker: one incremental checker per app folder, one check at a time.
import { AppTypeChecker } from './typecheck-app.js';
import { CliError } from '../cli-error.js';
import type { CheckReply, CheckRequest } from './background-typechecker.js';

const checkers = new Map<string, AppTypeChecker>();
let queue: Promise<void> = Promise.resolve();

process.on('message', (request: CheckRequest) => {
  queue = queue.then(async () => {
    let reply: CheckReply;
    try {
      let checker = checkers.get(request.appDir);
      if (!checker) checkers.set(request.appDir, (checker = new AppTypeChecker(request.appDir)));
      reply = { id: request.id, problems: await checker.check(request.entry) };
    } catch (err) {
      reply = { id: request.id, error: { message: err instanceof Error ? err.message : String(err), details: err instanceof CliError ? [...err.details] : [] } };
    }
    process.send!(reply);
  });
});
// The CLI that started this checker is gone: so is the reason to run.
process.on('disconnect', () => process.exit(0));
