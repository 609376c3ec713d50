import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * The one time a key is shown: copy it now. "Done" forgets it; the node
 * keeps only its hash, so nothing can show it again.
 */
export function NewKey({ id, material, scope, onDone }: { id: string; material: string; scope: string; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(material);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard access (permission refused, not a secure origin): leave it selected for Ctrl+C.
      field.current?.select();
      setCopied('Could not reach the clipboard: the key is selected, press Ctrl+C (⌘C) to copy it.');
    }
  };

  return (
    <section class="panel new-key" aria-labelledby="new-key-heading" data-new-key={id}>
      <h2 id="new-key-heading">New key {id}</h2>
      <p>Scope: {scope}. <strong>Store it now: it is shown only this once.</strong></p>
      <div class="form-row">
        <label for="new-key-value">Key</label>
        <input ref={field} id="new-key-value" class="mono key-material" type="text" readOnly value={material} autocomplete="off" spellcheck={false} />
        <button type="button" onClick={() => void copy()}>Copy key</button>
      </div>
      <p class="status" role="status">{copied}</p>
      <button type="button" class="secondary" onClick={onDone}>Done: I have stored it</button>
    </section>
  );
}
