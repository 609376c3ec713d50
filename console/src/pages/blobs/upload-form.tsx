import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner } from '../../components/error-banner.js';
import { useSession } from '../../session.js';
import { formatBytes } from './blob-paths.js';
import { uploadFile } from './upload-request.js';

/** Picks a file and uploads it into the folder shown, under its own name or one typed in. */
export function UploadForm({ bucket, prefix, onUploaded }: { bucket: string; prefix: string; onUploaded: (key: string) => void }) {
  const { api } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [said, setSaid] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const aborter = useRef<AbortController | null>(null);
  useEffect(() => () => aborter.current?.abort(), []);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!file) return;
    const key = `${prefix}${name.trim() || file.name}`;
    aborter.current = new AbortController();
    setBusy(true);
    setError(null);
    setSaid('');
    setProgress(0);
    try {
      const written = await uploadFile(api, bucket, key, file, setProgress, aborter.current.signal);
      setSaid(`Uploaded ${written.key} (${formatBytes(file.size)}).`);
      setFile(null);
      setName('');
      if (picker.current) picker.current.value = '';
      onUploaded(written.key);
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="upload panel" onSubmit={(e) => void submit(e)} aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload to {bucket}/{prefix}</h2>
      <div class="form-row">
        <label for="upload-file">File</label>
        <input ref={picker} id="upload-file" type="file" disabled={busy} onChange={(e) => {
          const picked = e.currentTarget.files?.[0] ?? null;
          setFile(picked);
          setProgress(null);
        }} />
      </div>
      <div class="form-row">
        <label for="upload-name">Name</label>
        <input id="upload-name" type="text" autocomplete="off" placeholder={file?.name ?? 'the file\'s name'} value={name} disabled={busy} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={busy || !file}>{busy ? 'Uploading…' : 'Upload'}</button>
      </div>
      {progress !== null ? (
        <div class="form-row">
          <label for="upload-progress">Progress</label>
          <progress id="upload-progress" max={100} value={progress} data-progress={progress}>{progress} %</progress>
          <span aria-hidden="true">{progress} %</span>
        </div>
      ) : null}
      <p class="status" role="status">{said}</p>
      <ErrorBanner error={error} />
    </form>
  );
}
