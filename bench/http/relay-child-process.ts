/**
 * The far end of the naive relay (bare-servers-process.ts): reads each
 * request's path from the pipe on fd 3 and writes back the hello JSON, each
 * message a 4-byte length and its bytes. What a function in another process
 * costs at the least, without isolation, limits, metering or logs.
 */
import { Socket } from 'node:net';
import { frame, FrameSplitter } from './relay-frames.js';

const pipe = new Socket({ fd: 3, readable: true, writable: true });
const splitter = new FrameSplitter();
pipe.on('data', (chunk: Buffer) => {
  for (const path of splitter.push(chunk)) {
    const name = /^\/[^/]+\/hello\/([^/?]+)/.exec(path.toString('utf8'))?.[1] ?? 'relay';
    pipe.write(frame(Buffer.from(JSON.stringify({ hello: decodeURIComponent(name) }))));
  }
});
pipe.on('end', () => process.exit(0));
