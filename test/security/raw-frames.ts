/** Frame writing as a hostile handler would do it, straight to the host channel's file descriptor: a module for test apps. */
export const RAW_FRAMES = `
import { writeSync } from 'node:fs';
export function frame(type, stream, payload) {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUInt32BE(5 + payload.length, 0);
  b.writeUInt8(type, 4);
  b.writeUInt32BE(stream, 5);
  payload.copy(b, 9);
  return b;
}
/** Writes all of it, waiting out a full socket buffer (the fd is non-blocking). */
export function writeAll(bytes) {
  let offset = 0;
  while (offset < bytes.length) {
    try { offset += writeSync(3, bytes, offset); }
    catch (e) { if (e.code !== 'EAGAIN') return offset; Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); }
  }
  return offset;
}
`;

