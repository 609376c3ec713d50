import type { PageProps } from '../router.js';

/** Placeholder: the Queues page is built on its own branch. */
export function QueuesPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Queues</h1>
    </section>
  );
}
