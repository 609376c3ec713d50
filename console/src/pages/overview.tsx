import type { PageProps } from '../router.js';

export function OverviewPage(_props: PageProps) {
  return (
    <section class="page">
      <h1>Overview</h1>
    </section>
  );
}
