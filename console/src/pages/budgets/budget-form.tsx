import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useSession } from '../../session.js';
import type { BudgetView } from './budget-figures.js';

interface Fields {
  name: string;
  concurrency: string;
  perSecond: string;
  burst: string;
  adaptive: boolean;
  min: string;
  max: string;
}

const EMPTY: Fields = { name: '', concurrency: '', perSecond: '', burst: '', adaptive: false, min: '', max: '' };

function fieldsOf(b: BudgetView): Fields {
  return {
    name: b.name, concurrency: String(b.concurrency),
    perSecond: b.rate ? String(b.rate.perSecond) : '', burst: b.rate ? String(b.rate.burst) : '',
    adaptive: b.adaptive !== null, min: b.adaptive ? String(b.adaptive.min) : '', max: b.adaptive ? String(b.adaptive.max) : '',
  };
}

const numberOrNothing = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/**
 * `PUT /budgets/<name>` with every setting the form shows: an empty rate is
 * no rate; empty bounds take the node's defaults (1 and the concurrency).
 * The node checks the numbers and names the field that is wrong.
 */
export function BudgetForm({ editing, onSaved, onCancelEdit }: { editing: BudgetView | null; onSaved: (said: string) => void; onCancelEdit: () => void }) {
  const { api } = useSession();
  const [fields, setFields] = useState<Fields>(() => (editing ? fieldsOf(editing) : EMPTY));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const set = (change: Partial<Fields>): void => setFields((f) => ({ ...f, ...change }));

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const perSecond = numberOrNothing(fields.perSecond);
      const burst = numberOrNothing(fields.burst);
      const min = numberOrNothing(fields.min);
      const max = numberOrNothing(fields.max);
      const { budget } = await api.call(routes.budgets.set, {
        params: { name: fields.name.trim() },
        body: {
          concurrency: Number(fields.concurrency),
          rate: perSecond === undefined ? null : { perSecond, ...(burst !== undefined ? { burst } : {}) },
          adaptive: fields.adaptive ? { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) } : false,
        },
      });
      onSaved(`Saved budget ${budget.name}.`);
      setFields(EMPTY);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" onSubmit={(e) => void submit(e)} aria-labelledby="budget-form-heading" data-editing={editing?.name}>
      <h2 id="budget-form-heading">{editing ? `Edit budget ${editing.name}` : 'Set a budget'}</h2>
      <p class="hint">Functions name budgets with <code>uses</code>; at most the concurrency of their invocations hold it at once, and at most the rate of them start each second.</p>
      <div class="form-row">
        <label for="budget-name">Name</label>
        <input id="budget-name" type="text" autocomplete="off" spellcheck={false} required readOnly={editing !== null} value={fields.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        <label for="budget-concurrency">Concurrency</label>
        <input id="budget-concurrency" type="number" min={1} max={100000} step={1} required value={fields.concurrency} onInput={(e) => set({ concurrency: e.currentTarget.value })} />
      </div>
      <div class="form-row">
        <label for="budget-rate">Rate per second (empty: none)</label>
        <input id="budget-rate" type="number" min={0} step="any" value={fields.perSecond} onInput={(e) => set({ perSecond: e.currentTarget.value })} />
        <label for="budget-burst">Burst (optional)</label>
        <input id="budget-burst" type="number" min={1} step={1} value={fields.burst} disabled={fields.perSecond.trim() === ''} onInput={(e) => set({ burst: e.currentTarget.value })} />
      </div>
      <div class="form-row">
        <input id="budget-adaptive" type="checkbox" checked={fields.adaptive} onChange={(e) => set({ adaptive: e.currentTarget.checked })} />
        <label for="budget-adaptive">Adaptive: the limit follows the downstream's health</label>
        {fields.adaptive ? (
          <>
            <label for="budget-min">Min (optional)</label>
            <input id="budget-min" type="number" min={1} step={1} value={fields.min} onInput={(e) => set({ min: e.currentTarget.value })} />
            <label for="budget-max">Max (optional)</label>
            <input id="budget-max" type="number" min={1} step={1} value={fields.max} onInput={(e) => set({ max: e.currentTarget.value })} />
          </>
        ) : null}
      </div>
      <div class="form-row">
        <button type="submit" disabled={busy || fields.name.trim() === ''}>{busy ? 'Saving…' : 'Save budget'}</button>
        {editing ? <button type="button" class="secondary" onClick={onCancelEdit}>Cancel</button> : null}
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}
