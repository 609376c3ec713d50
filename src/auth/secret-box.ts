import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { NimbusError } from '../shared/errors.js';
import { MASTER_KEY_BYTES } from './master-key.js';

const ALGORITHM = 'aes-256-gcm';
/** GCM's recommended nonce size; random per value, so no counter to keep across nodes. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every sealed value, so the format can change without guessing. */
const FORMAT_V1 = 1;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * Encrypts secret values with AES-256-GCM under the master key. Each value is
 * bound to its app and name (as additional authenticated data), so a sealed
 * value copied to another app or name in the database fails to open rather
 * than handing one app another's secret.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== MASTER_KEY_BYTES) throw new Error(`the master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
    this.#key = Buffer.from(masterKey);
  }

  seal(app: string, name: string, value: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(app, name));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), ciphertext]);
  }

  open(app: string, name: string, sealed: Uint8Array): string {
    const bytes = Buffer.from(sealed);
    if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT_V1) throw unreadable(app, name);
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(app, name));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw unreadable(app, name);
    }
  }

  // The key must never reach a log line or a JSON body by accident.
  toJSON(): string {
    return '[SecretBox]';
  }

  toString(): string {
    return '[SecretBox]';
  }

  [inspect.custom](): string {
    return '[SecretBox]';
  }
}

/** NUL cannot occur in app or secret names, so distinct pairs give distinct AAD. */
function additionalData(app: string, name: string): Buffer {
  return Buffer.from(`nimbus-secret\0${app}\0${name}`, 'utf8');
}

function unreadable(app: string, name: string): NimbusError {
  return new NimbusError(
    'NIMBUS_ERR_SECRET_UNREADABLE',
    `secret ${name} of app ${app} cannot be decrypted: the master key is not the one it was stored with, or the stored value was altered`,
    { app, secret: name },
  );
}
