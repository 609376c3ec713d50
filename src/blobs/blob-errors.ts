/**
 * Errors of the blob area. They follow the NIMBUS_ERR_* table's shape
 * ({status, message}) so the gateway answers them the same way; they live
 * here until they are merged into src/shared/errors.ts.
 */
export const BLOB_ERRORS = {
  NIMBUS_ERR_BLOB_INVALID_BUCKET_NAME: { status: 400, message: 'bucket names are 3-63 characters: lower-case letters, digits, dots and dashes, starting with a letter or digit' },
  NIMBUS_ERR_BLOB_INVALID_KEY: { status: 400, message: 'the object key is not valid' },
  NIMBUS_ERR_BLOB_INVALID_REQUEST: { status: 400, message: 'the blob request is not valid' },
  NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND: { status: 404, message: 'no such bucket' },
  NIMBUS_ERR_BLOB_NOT_FOUND: { status: 404, message: 'no such object' },
  NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY: { status: 409, message: 'the bucket is not empty' },
  NIMBUS_ERR_BLOB_PRECONDITION_FAILED: { status: 412, message: 'a precondition (If-Match / If-None-Match) failed' },
  NIMBUS_ERR_BLOB_TOO_LARGE: { status: 413, message: 'the object is larger than allowed' },
  NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE: { status: 416, message: 'the requested range is not satisfiable' },
  /** Not a failure: a conditional GET/HEAD found the caller's copy current. */
  NIMBUS_ERR_BLOB_NOT_MODIFIED: { status: 304, message: 'not modified' },
} as const satisfies Record<string, { status: number; message: string }>;

export type BlobErrorCode = keyof typeof BLOB_ERRORS;

export class BlobError extends Error {
  readonly code: BlobErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: BlobErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(detail ? `${BLOB_ERRORS[code].message}: ${detail}` : BLOB_ERRORS[code].message);
    this.name = 'BlobError';
    this.code = code;
    this.status = BLOB_ERRORS[code].status;
    this.details = details;
  }

  toJSON(): { error: { code: BlobErrorCode; message: string } & Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}
