import './panels.css';
import { useState } from 'preact/hooks';
import { routes } from '../api/endpoints.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { usePaged } from '../hooks/use-paged.js';
import type { PageProps } from '../router.js';
import { useSession } from '../session.js';
import { BudgetForm } from './budgets/budget-form.js';
import type { BudgetView } from './budgets/budget-figures.js';
import { BudgetList } from './budgets/budget-list.js';

const BUDGETS_PER_PAGE = 50;
const REFRESH_MS = 2_000;

/** `#/budgets`: downstream budgets, what each holds now and who uses it; set, edit and delete with an admin key. */
export function BudgetsPage(_props: PageProps) {
  const { api, canWrite } = useSession();
  const [said, setSaid] = useState('');
  const [editing, setEditing] = useState<BudgetView | null>(null);
  const [deleting, setDeleting] = useState<BudgetView | null>(null);
  const { page, error, pager, refresh } = usePaged<BudgetView>(async (cursor, signal) => {
    const answer = await api.call(routes.budgets.list, { query: { limit: BUDGETS_PER_PAGE, cursor }, signal });
    return { items: answer.budgets, nextCursor: answer.nextCursor ?? null };
  }, REFRESH_MS, [api]);

  return (
    <section class="page budgets">
      <h1>Budgets</h1>
      <p class="hint">A budget is one limit shared by every function that names it, on every trigger and node: it protects what they call together.</p>
      <p class="status" role="status">{said}</p>
      <BudgetList budgets={page?.items} error={error} pager={pager} onEdit={setEditing} onDelete={setDeleting} />
      {canWrite ? (
        <BudgetForm
          key={editing?.name ?? ''}
          editing={editing}
          onSaved={(text) => {
            setSaid(text);
            setEditing(null);
            refresh();
          }}
          onCancelEdit={() => setEditing(null)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete budget ${deleting.name}?`}
          confirmLabel="Delete budget"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.call(routes.budgets.remove, { params: { name: deleting.name } });
            setSaid(`Deleted budget ${deleting.name}.`);
            refresh();
          }}
        >
          <p>
            {deleting.usedBy.length > 0
              ? `It is used by ${deleting.usedBy.map((u) => `${u.app}/${u.function}`).join(', ')}: the node refuses until no live version names it.`
              : 'No live function names it. A deploy that names it again is refused until it is set again.'}
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
