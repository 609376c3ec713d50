import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader } from '../../../src/runtime/instance/frame-reader.js';
import { FRAME, MAX_FRAME_BYTES, ProtocolViolation, encodeFrame, encodeJsonFrame } from '../../../src/runtime/instance/protocol.js';

interface Seen { type: number; stream: number; payload: Buffer }

function collecting(max?: number): { reader: FrameReader; seen: Seen[] } {
  const seen: Seen[] = [];
  const reader = new FrameReader((type, stream, payload) => seen.push({ type, stream, payload: Buffer.from(payload) }), max);
  return { reader, seen };
}

function header(length: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt32BE(length, 0);
  b.writeUInt8(FRAME.LOG, 4);
  return b;
}

describe('FrameReader', () => {
  test('returns whole frames however the bytes are cut', () => {
    const frames = [encodeJsonFrame(FRAME.LOG, 0, { lines: [] }), encodeFrame(FRAME.RESPONSE_BODY, 7, Buffer.alloc(70_000, 3)), encodeFrame(FRAME.END, 9)];
    const all = Buffer.concat(frames);
    for (const size of [1, 2, 3, 5, 9, 4096, all.length]) {
      const { reader, seen } = collecting();
      for (let i = 0; i < all.length; i += size) reader.push(all.subarray(i, i + size));
      assert.deepEqual(seen.map((f) => [f.type, f.stream, f.payload.length]), [[FRAME.LOG, 0, 12], [FRAME.RESPONSE_BODY, 7, 70_000], [FRAME.END, 9, 0]], `cut every ${size} bytes`);
      assert.ok(seen[1]!.payload.every((b) => b === 3));
    }
  });

  test('joins a large frame sent in many small chunks once, not once per chunk', () => {
    const payload = Buffer.alloc(4 * 1024 * 1024, 7);
    const frame = encodeFrame(FRAME.RESPONSE_BODY, 1, payload);
    const { reader, seen } = collecting();
    const concat = Buffer.concat;
    let joins = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => { joins++; return concat(list, total); }) as typeof Buffer.concat;
    try {
      for (let i = 0; i < frame.length; i += 1024) reader.push(frame.subarray(i, i + 1024));
    } finally {
      Buffer.concat = concat;
    }
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.payload.length, payload.length);
    assert.ok(joins <= 2, `joined ${joins} times for 4096 chunks`);
  });

  test('refuses a length over the cap before buffering anything for it', () => {
    const { reader, seen } = collecting();
    assert.throws(() => reader.push(header(0xfffffff0)), (err: unknown) => err instanceof ProtocolViolation && /over the/.test(err.message));
    // Nothing more is taken once it failed.
    reader.push(encodeFrame(FRAME.END, 1));
    assert.equal(seen.length, 0);
  });

  test('refuses a cap-sized claim split across chunks, and a length too short for a header', () => {
    const { reader } = collecting(1024);
    const claim = header(2048);
    reader.push(claim.subarray(0, 2));
    assert.throws(() => reader.push(claim.subarray(2)), ProtocolViolation);
    const { reader: second } = collecting();
    assert.throws(() => second.push(header(3)), /too short/);
  });

  test('takes exactly the cap', () => {
    const { reader, seen } = collecting();
    const frame = encodeFrame(FRAME.RESPONSE_BODY, 1, Buffer.alloc(MAX_FRAME_BYTES - 5));
    reader.push(frame);
    assert.equal(seen.length, 1);
  });

  test('a listener that throws fails the reader', () => {
    const reader = new FrameReader(() => { throw new ProtocolViolation('bad'); });
    assert.throws(() => reader.push(Buffer.concat([encodeFrame(FRAME.END, 1), encodeFrame(FRAME.END, 2)])), /bad/);
    reader.push(encodeFrame(FRAME.END, 3));
  });
});
