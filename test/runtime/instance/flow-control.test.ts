import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveWindow, SendWindow } from '../../../src/runtime/instance/flow-control.js';
import { STREAM_WINDOW_BYTES } from '../../../src/runtime/instance/protocol.js';

const W = STREAM_WINDOW_BYTES;

describe('SendWindow', () => {
  test('hands out at most the credit it has, then waits for more', async () => {
    const window = new SendWindow(100);
    assert.equal(window.takeNow(60), 60);
    assert.equal(window.takeNow(60), 40);
    assert.equal(window.takeNow(1), 0);
    const waiting = window.take(30);
    window.grant(10);
    assert.equal(await waiting, 10);
  });

  test('a closed window releases its waiter with nothing', async () => {
    const window = new SendWindow(0);
    const waiting = window.take(30);
    window.close();
    assert.equal(await waiting, 0);
    window.grant(50);
    assert.equal(window.takeNow(10), 0);
  });
});

describe('ReceiveWindow', () => {
  test('a sender past its credit is caught', () => {
    const window = new ReceiveWindow();
    assert.equal(window.receive(W), true);
    assert.equal(window.receive(1), false);
  });

  test('credit comes back only as the consumer takes bytes, once per half window', () => {
    const window = new ReceiveWindow();
    window.receive(W / 4);
    assert.equal(window.consumedUpTo(W / 4), 0, 'the sender still has three quarters of a window');
    window.receive(W / 2);
    assert.equal(window.consumedUpTo(W / 4), W / 4, 'down to a quarter: what was consumed goes back');
    assert.equal(window.outstanding, W / 2);
    // A consumer that stopped: the sender can fill the window and no more.
    window.receive(W / 2);
    assert.equal(window.consumedUpTo(W / 4), 0);
    assert.equal(window.receive(1), false);
  });

  test('a sender out of credit gets it back as soon as anything was consumed', () => {
    const window = new ReceiveWindow();
    window.receive(W);
    assert.equal(window.consumedUpTo(1), 1);
    assert.equal(window.outstanding, 1);
  });
});
