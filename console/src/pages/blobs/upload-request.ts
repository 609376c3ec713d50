import { ApiError, type ApiClient } from '../../api/client.js';
import { objectUrl } from './blob-paths.js';

export interface UploadResult {
  bucket: string;
  key: string;
  etag: string;
}

/**
 * `PUT /blobs/<bucket>/<key>` with the file as the body, as `nimbus blob put`
 * sends it. XMLHttpRequest rather than fetch: only it reports upload progress.
 * Progress goes from 0 to 100 as the bytes leave the browser.
 */
export function uploadFile(api: ApiClient, bucket: string, key: string, file: File, onProgress: (percent: number) => void, signal: AbortSignal): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', objectUrl(bucket, key));
    for (const [name, value] of Object.entries(api.headers())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.floor((e.loaded / e.total) * 100));
    });
    xhr.upload.addEventListener('load', () => onProgress(100));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as UploadResult);
      else reject(errorOf(xhr));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'NETWORK', 'the upload could not reach the node')));
    xhr.addEventListener('abort', () => reject(new DOMException('the upload was cancelled', 'AbortError')));
    signal.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** The API's `{error: {code, message}}`, as ApiClient reads it for fetch. */
function errorOf(xhr: XMLHttpRequest): ApiError {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: { code?: unknown; message?: unknown } };
    if (body.error && typeof body.error.message === 'string') {
      return new ApiError(xhr.status, typeof body.error.code === 'string' ? body.error.code : `HTTP_${xhr.status}`, body.error.message);
    }
  } catch {
    // not JSON: described by its status below
  }
  return new ApiError(xhr.status, `HTTP_${xhr.status}`, `the node answered ${xhr.status} ${xhr.statusText}`);
}
