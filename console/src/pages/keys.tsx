import type { PageProps } from '../router.js';

/** Placeholder: the Keys and secrets page is built on its own branch. */
export function KeysPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Keys and secrets</h1>
    </section>
  );
}
