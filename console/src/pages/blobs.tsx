import type { PageProps } from '../router.js';

/** Placeholder: the Blobs page is built on its own branch. */
export function BlobsPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Blobs</h1>
    </section>
  );
}
