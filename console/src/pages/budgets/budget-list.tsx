import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import type { PagerState } from '../../hooks/use-paged.js';
import { useSession } from '../../session.js';
import { formatAdaptive, formatRate, usersOf, type BudgetView } from './budget-figures.js';

interface BudgetListProps {
  budgets: BudgetView[] | undefined;
  error: Error | null;
  pager: PagerState;
  onEdit: (budget: BudgetView) => void;
  onDelete: (budget: BudgetView) => void;
}

const muted = (text = '–') => <span class="muted">{text}</span>;

/** Each budget's limit, what this node holds and has waiting now, its rate and who uses it; edit and delete for an admin key. */
export function BudgetList({ budgets, error, pager, onEdit, onDelete }: BudgetListProps) {
  const { canWrite } = useSession();
  return (
    <>
      <ErrorBanner error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Budget</th><th scope="col" class="num">Limit</th><th scope="col" class="num">In use</th><th scope="col" class="num">Waiting</th>
            <th scope="col" class="num">Throttled</th><th scope="col">Adaptive limit</th><th scope="col">Rate</th><th scope="col">Used by</th>
            {canWrite ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {(budgets ?? []).map((b) => (
            <tr key={b.name} data-budget={b.name}>
              <td class="mono">{b.name}</td>
              <td class="num" data-figure="limit">{b.concurrency}</td>
              <td class="num" data-figure="inUse">{b.state ? b.state.inUse : muted()}</td>
              <td class="num" data-figure="waiting">{b.state ? b.state.waiting : muted()}</td>
              <td class="num" data-figure="throttled">{b.state ? b.state.throttled : muted()}</td>
              <td data-figure="adaptive">{formatAdaptive(b) ?? muted('off')}</td>
              <td data-figure="rate">{b.rate ? formatRate(b.rate) : muted('none')}</td>
              <td data-figure="usedBy">{b.usedBy.length > 0 ? usersOf(b) : muted('no function')}</td>
              {canWrite ? (
                <td><div class="row-actions">
                  <button type="button" class="secondary" aria-label={`Edit budget ${b.name}`} onClick={() => onEdit(b)}>Edit</button>
                  <button type="button" class="secondary" aria-label={`Delete budget ${b.name}`} onClick={() => onDelete(b)}>Delete</button>
                </div></td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {budgets && budgets.length === 0 ? <p class="empty">No budgets yet.{canWrite ? ' Set one below, or deploy with --create-budgets.' : ''}</p> : null}
      <Pager pager={pager} label="Budgets" />
    </>
  );
}
