import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { TurnWriter } from '../../../src/runtime/instance/turn-writer.js';

/** A socket stand-in that records each write it is handed, as one string per syscall (writev joins its chunks). */
function recordingSocket(): { socket: Writable; sent: string[] } {
  const sent: string[] = [];
  const socket = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sent.push(chunk.toString());
      done();
    },
    writev(chunks, done) {
      sent.push(chunks.map((c) => (c.chunk as Buffer).toString()).join(''));
      done();
    },
  });
  return { socket, sent };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("a turn's frames wait for its end and leave together", async () => {
  const { socket, sent } = recordingSocket();
  const writer = new TurnWriter(socket);
  writer.write(Buffer.from('a'));
  writer.write(Buffer.from('b'));
  assert.deepEqual(sent, []);
  await nextTurn();
  assert.deepEqual(sent, ['ab']);
});

test("a frame written now leaves before write() returns, behind the turn's waiting frames", async () => {
  const { socket, sent } = recordingSocket();
  const writer = new TurnWriter(socket);
  writer.write(Buffer.from('a'));
  writer.write(Buffer.from('log'), 'now');
  assert.deepEqual(sent, ['a', 'log'], 'sent in order, without waiting for the turn to end');
  writer.write(Buffer.from('b'));
  assert.deepEqual(sent, ['a', 'log'], 'frames after it wait for the turn again');
  await nextTurn();
  assert.deepEqual(sent, ['a', 'log', 'b']);
  writer.write(Buffer.from('log2'), 'now');
  assert.deepEqual(sent, ['a', 'log', 'b', 'log2']);
});

test('a frame alone leaves at once when nothing waits, and behind what waits otherwise', async () => {
  const { socket, sent } = recordingSocket();
  const writer = new TurnWriter(socket);
  writer.write(Buffer.from('x'), 'alone');
  assert.deepEqual(sent, ['x']);
  writer.write(Buffer.from('a'));
  writer.write(Buffer.from('y'), 'alone');
  assert.deepEqual(sent, ['x']);
  await nextTurn();
  assert.deepEqual(sent, ['x', 'ay']);
});
