import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretBox } from '../../src/auth/secret-box.js';
import { NimbusError } from '../../src/shared/errors.js';

const masterKey = randomBytes(32);

test('a sealed value opens to the same text, and sealing twice gives different bytes (fresh IV)', () => {
  const box = new SecretBox(masterKey);
  const a = box.seal('shop', 'STRIPE_KEY', 'sk_live_ünïcode');
  const b = box.seal('shop', 'STRIPE_KEY', 'sk_live_ünïcode');
  assert.equal(box.open('shop', 'STRIPE_KEY', a), 'sk_live_ünïcode');
  assert.notDeepEqual(a, b);
  assert.ok(!a.includes(Buffer.from('sk_live')), 'ciphertext does not carry the plaintext');
});

test('a tampered value is refused', () => {
  const box = new SecretBox(masterKey);
  const sealed = box.seal('shop', 'TOKEN', 'value');
  for (const index of [0, 5, 20, sealed.length - 1]) {
    const tampered = Buffer.from(sealed);
    tampered[index] = (tampered[index] ?? 0) ^ 0x01;
    assert.throws(() => box.open('shop', 'TOKEN', tampered), NimbusError, `byte ${index} flipped`);
  }
  assert.throws(() => box.open('shop', 'TOKEN', sealed.subarray(0, 10)), NimbusError);
});

test('a value moved to another app or another name does not decrypt', () => {
  const box = new SecretBox(masterKey);
  const sealed = box.seal('shop', 'TOKEN', 'value');
  assert.throws(() => box.open('blog', 'TOKEN', sealed), /secret TOKEN of app blog cannot be decrypted/);
  assert.throws(() => box.open('shop', 'OTHER', sealed), /secret OTHER of app shop cannot be decrypted/);
});

test('a different master key cannot open the value', () => {
  const sealed = new SecretBox(masterKey).seal('shop', 'TOKEN', 'value');
  assert.throws(() => new SecretBox(randomBytes(32)).open('shop', 'TOKEN', sealed), NimbusError);
});

test('the master key never shows in JSON, strings or inspect output', () => {
  const box = new SecretBox(masterKey);
  const outputs = [JSON.stringify({ box }), String(box), inspect(box, { showHidden: true, depth: 5 })];
  for (const out of outputs) {
    const shown = [masterKey.toString('hex'), masterKey.toString('base64'), inspect(masterKey).slice('<Buffer '.length, 40)];
    for (const form of shown) assert.ok(!out.includes(form), `${out} shows the key`);
  }
});
