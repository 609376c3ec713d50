/**
 * Entry of the child process that runs the two bare baseline servers, so
 * their garbage (the same-handler server makes a Request and a Response per
 * request) is never collected inside the bench process that hosts the
 * Nimbus nodes being measured. Tells the parent its ports over IPC; exits
 * when the parent disconnects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bareHelloHandler, bareSameHandler } from './hello-app.js';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

const handWritten = createServer(bareHelloHandler);
const sameHandler = createServer((req, res) => void bareSameHandler(req, res));
process.send?.({ handWrittenPort: await listen(handWritten), sameHandlerPort: await listen(sameHandler) });
process.once('disconnect', () => process.exit(0));
