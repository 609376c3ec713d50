import { Transform, type TransformCallback } from 'node:stream';
import { NimbusError } from '../shared/errors.js';

/** Passes a request body through, failing once it grows past `limit` bytes. */
export class BodyLimit extends Transform {
  #seen = 0;
  exceeded = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.limit) {
      this.exceeded = true;
      callback(new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `more than ${this.limit} bytes`));
      return;
    }
    callback(null, chunk);
  }
}
