import { AREAS, href, type AreaId } from '../router.js';

export function Nav({ current }: { current: AreaId }) {
  return (
    <nav class="main-nav" aria-label="Console">
      <ul>
        {AREAS.map((area) => (
          <li key={area.id}>
            <a href={href(area.id)} aria-current={area.id === current ? 'page' : undefined}>{area.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
