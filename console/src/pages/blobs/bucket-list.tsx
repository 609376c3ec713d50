import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatTime } from '../../format.js';
import { usePolling } from '../../hooks/use-polling.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';

const REFRESH_MS = 5_000;

/** The buckets (`GET /blobs`), each a link to its top folder; an admin key may create one (`nimbus blob mb`). */
export function BucketList() {
  const { api, canWrite } = useSession();
  const buckets = usePolling((signal) => api.call(routes.blobs.buckets, { signal }), REFRESH_MS, [api]);
  const [name, setName] = useState('');
  const [error, setError] = useState<Error | null>(null);

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(null);
    try {
      await api.call(routes.blobs.createBucket, { params: { bucket: name.trim() } });
      setName('');
      buckets.refresh();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  return (
    <section class="page blobs">
      <h1>Blobs</h1>
      <ErrorBanner error={buckets.error} />
      <table>
        <thead><tr><th scope="col">Bucket</th><th scope="col">Created</th></tr></thead>
        <tbody>
          {(buckets.data?.buckets ?? []).map((b) => (
            <tr key={b.name} data-bucket={b.name}>
              <td><a href={href('blobs', b.name)}>{b.name}</a></td>
              <td>{formatTime(b.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {buckets.data && buckets.data.buckets.length === 0 ? <p class="empty">No buckets yet: a bucket is created by its first upload, or here.</p> : null}
      {canWrite ? (
        <form class="panel" onSubmit={(e) => void create(e)} aria-labelledby="create-bucket-heading">
          <h2 id="create-bucket-heading">Create a bucket</h2>
          <div class="form-row">
            <label for="bucket-name">Bucket name</label>
            <input id="bucket-name" type="text" autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit" disabled={name.trim() === ''}>Create bucket</button>
          </div>
          <ErrorBanner error={error} />
        </form>
      ) : null}
    </section>
  );
}
