import { Fragment } from 'preact';
import { usePolling } from '../../hooks/use-polling.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatTime } from '../../format.js';
import { useSession } from '../../session.js';
import { formatBytes, objectUrl } from './blob-paths.js';

const METADATA_PREFIX = 'x-nimbus-meta-';

interface Details {
  size: number;
  contentType: string;
  etag: string;
  lastModified: string | null;
  metadata: [string, string][];
}

/** An object's size, type, ETag and metadata, from `HEAD /blobs/<bucket>/<key>` (its headers). */
export function ObjectDetails({ bucket, objectKey, onClose }: { bucket: string; objectKey: string; onClose: () => void }) {
  const { api } = useSession();
  const head = usePolling(async (signal): Promise<Details> => {
    const { headers } = await api.fetch(objectUrl(bucket, objectKey), { method: 'HEAD', signal });
    const metadata: [string, string][] = [];
    headers.forEach((value, name) => {
      if (name.startsWith(METADATA_PREFIX)) metadata.push([name.slice(METADATA_PREFIX.length), value]);
    });
    return {
      size: Number(headers.get('content-length') ?? 0),
      contentType: headers.get('content-type') ?? '',
      etag: headers.get('etag') ?? '',
      lastModified: headers.get('last-modified'),
      metadata: metadata.sort(([a], [b]) => a.localeCompare(b)),
    };
  }, 10_000, [api, bucket, objectKey]);
  const d = head.data;

  return (
    <section class="panel" aria-labelledby="object-heading" data-object-details={objectKey}>
      <h2 id="object-heading">{objectKey}</h2>
      <ErrorBanner error={head.error} />
      {d ? (
        <dl class="settings">
          <dt>Bucket</dt><dd>{bucket}</dd>
          <dt>Size</dt><dd data-detail="size">{formatBytes(d.size)} ({d.size} bytes)</dd>
          <dt>Type</dt><dd data-detail="type">{d.contentType}</dd>
          <dt>ETag</dt><dd class="mono" data-detail="etag">{d.etag}</dd>
          {d.lastModified ? <><dt>Modified</dt><dd>{formatTime(Date.parse(d.lastModified))}</dd></> : null}
          {d.metadata.length === 0 ? <><dt>Metadata</dt><dd class="muted">none</dd></> : null}
          {d.metadata.map(([name, value]) => <Fragment key={name}><dt>{name}</dt><dd data-metadata={name}>{value}</dd></Fragment>)}
        </dl>
      ) : null}
      <button type="button" class="secondary" onClick={onClose}>Close details</button>
    </section>
  );
}
