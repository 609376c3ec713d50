import type { PageProps } from '../router.js';

/** Placeholder: the Timers page is built on its own branch. */
export function TimersPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Timers</h1>
    </section>
  );
}
