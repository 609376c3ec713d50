import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { formatTime } from '../../format.js';
import { usePaged } from '../../hooks/use-paged.js';
import { href } from '../../router.js';
import { saveFile } from '../../save-file.js';
import { useSession } from '../../session.js';
import { DELIMITER, foldersOf, formatBytes, nameIn, objectUrl, prefixOf, type ListedObject } from './blob-paths.js';
import { ObjectDetails } from './object-details.js';
import { UploadForm } from './upload-form.js';

/** Folders and objects together count towards the API's `limit`. */
const ENTRIES_PER_PAGE = 100;
const REFRESH_MS = 5_000;

type Entry = { kind: 'folder'; prefix: string } | { kind: 'object'; object: ListedObject };

/** One folder of a bucket (`GET /blobs/<bucket>?prefix=&delimiter=/`, paged by cursor): sub-folders, then objects. */
export function BucketBrowser({ bucket, folders }: { bucket: string; folders: string[] }) {
  const { api, canWrite } = useSession();
  const prefix = prefixOf(folders);
  const [details, setDetails] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [said, setSaid] = useState('');
  const { page, error, pager, refresh } = usePaged<Entry>(async (cursor, signal) => {
    const answer = await api.call(routes.blobs.list, { params: { bucket }, query: { prefix, delimiter: DELIMITER, limit: ENTRIES_PER_PAGE, cursor }, signal });
    const entries: Entry[] = [
      ...answer.commonPrefixes.map((p): Entry => ({ kind: 'folder', prefix: p })),
      ...answer.objects.map((o): Entry => ({ kind: 'object', object: o })),
    ];
    return { items: entries, nextCursor: answer.nextCursor };
  }, REFRESH_MS, [api, bucket, prefix]);

  const download = async (key: string): Promise<void> => {
    setFailure(null);
    try {
      const response = await api.fetch(objectUrl(bucket, key));
      saveFile(await response.blob(), nameIn(prefix, key).split(DELIMITER).pop() || 'download');
      setSaid(`Downloaded ${key}.`);
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    }
  };

  return (
    <section class="page blobs">
      <nav aria-label="Folder" class="breadcrumbs">
        <ol>
          <li><a href={href('blobs')}>Buckets</a></li>
          <li><a href={href('blobs', bucket)} aria-current={folders.length === 0 ? 'page' : undefined}>{bucket}</a></li>
          {folders.map((f, i) => (
            <li key={i}><a href={href('blobs', bucket, ...folders.slice(0, i + 1))} aria-current={i === folders.length - 1 ? 'page' : undefined}>{f}</a></li>
          ))}
        </ol>
      </nav>
      <h1>{bucket}/{prefix}</h1>
      <p class="status" role="status">{said}</p>
      <ErrorBanner error={error ?? failure} />
      <table>
        <thead>
          <tr><th scope="col">Name</th><th scope="col" class="num">Size</th><th scope="col">Type</th><th scope="col">Modified</th><th scope="col">Actions</th></tr>
        </thead>
        <tbody>
          {(page?.items ?? []).map((entry) => entry.kind === 'folder' ? (
            <tr key={`folder:${entry.prefix}`} data-folder={entry.prefix}>
              <td colSpan={5}><a href={href('blobs', bucket, ...foldersOf(entry.prefix))} class="folder">{nameIn(prefix, entry.prefix)}</a></td>
            </tr>
          ) : (
            <tr key={`object:${entry.object.key}`} data-key={entry.object.key}>
              <td class="object-name">{nameIn(prefix, entry.object.key)}</td>
              <td class="num">{formatBytes(entry.object.size)}</td>
              <td>{entry.object.contentType}</td>
              <td>{formatTime(entry.object.lastModified)}</td>
              <td><div class="row-actions">
                <button type="button" class="secondary" aria-label={`Details of ${entry.object.key}`} onClick={() => setDetails(entry.object.key)}>Details</button>
                <button type="button" class="secondary" aria-label={`Download ${entry.object.key}`} onClick={() => void download(entry.object.key)}>Download</button>
                {canWrite ? <button type="button" class="secondary" aria-label={`Delete ${entry.object.key}`} onClick={() => setDeleting(entry.object.key)}>Delete</button> : null}
              </div></td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.items.length === 0 ? <p class="empty">Nothing in {bucket}/{prefix} yet.</p> : null}
      <Pager pager={pager} label="Objects" />
      {details ? <ObjectDetails key={details} bucket={bucket} objectKey={details} onClose={() => setDetails(null)} /> : null}
      {canWrite ? <UploadForm bucket={bucket} prefix={prefix} onUploaded={() => refresh()} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting}?`}
          confirmLabel="Delete object"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.call(routes.blobs.remove, { params: { bucket, key: deleting } });
            setSaid(`Deleted ${deleting}.`);
            if (details === deleting) setDetails(null);
            refresh();
          }}
        >
          <p>The object {deleting} is deleted from {bucket} (its blob triggers for deletes run). This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
