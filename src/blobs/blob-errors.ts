import { NimbusError, type ErrorCode } from '../shared/errors.js';

/** The blob area's codes: a slice of the one NIMBUS_ERR_* table. */
export type BlobErrorCode = Extract<ErrorCode, `NIMBUS_ERR_BLOB_${string}`>;

/** Blob errors are NimbusErrors whose code is one of the blob area's. */
export class BlobError extends NimbusError {
  constructor(code: BlobErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(code, detail, details);
    this.name = 'BlobError';
  }
}
