/**
 * Entry of the child process that runs the two bare baseline servers, so
 * their garbage (the same-handler server makes a Request and a Response per
 * request) is never collected inside the bench process that hosts the
 * Nimbus nodes being measured. Tells the parent its ports over IPC; exits
 * when the parent disconnects.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { bareHelloHandler, bareSameHandler } from './hello-app.js';
import { frame, FrameSplitter } from './relay-frames.js';

const RELAY_CHILD = fileURLToPath(new URL('./relay-child-process.js', import.meta.url));

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/**
 * The naive relay: each request's path goes over a pipe to a child process,
 * whose answer (in order: one pipe, answers in request order) is written back
 * as the response. The floor of any design that runs the function in another
 * process, measured beside Nimbus in the latency section.
 */
function startRelay(): Server {
  const child = spawn(process.execPath, [RELAY_CHILD], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
  const pipe = child.stdio[3] as Socket;
  const waiting: ServerResponse[] = [];
  const splitter = new FrameSplitter();
  pipe.on('data', (chunk: Buffer) => {
    for (const body of splitter.push(chunk)) waiting.shift()?.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  process.once('disconnect', () => child.kill());
  return createServer((req, res) => {
    waiting.push(res);
    pipe.write(frame(Buffer.from(req.url ?? '/')));
  });
}

const handWritten = createServer(bareHelloHandler);
const sameHandler = createServer((req, res) => void bareSameHandler(req, res));
const relay = startRelay();
process.send?.({ handWrittenPort: await listen(handWritten), sameHandlerPort: await listen(sameHandler), relayPort: await listen(relay) });
process.once('disconnect', () => process.exit(0));
