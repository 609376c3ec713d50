import type { PageProps } from '../router.js';

/** Placeholder: the Usage and cost page is built on its own branch. */
export function UsagePage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Usage and cost</h1>
    </section>
  );
}
