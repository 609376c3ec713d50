import type { PageProps } from '../router.js';

export function FunctionsPage({ parts }: PageProps) {
  return (
    <section class="page">
      <h1>Functions</h1>
      <p>{parts.join('/')}</p>
    </section>
  );
}
