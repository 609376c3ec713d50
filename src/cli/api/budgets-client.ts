import { budgetRoutes } from '../../gateway/admin-routes/budgets.js';
import type { AdminTransport } from './admin-transport.js';
import type { RouteInput, RouteOutput } from './route-call.js';

/** A budget as the admin API shows it: settings, this node's state of it, and who uses it. */
export type BudgetView = RouteOutput<typeof budgetRoutes.get>['budget'];
export type BudgetChange = RouteInput<typeof budgetRoutes.set>['body'];

/** Downstream budgets in the admin API (docs/budgets.md). */
export class BudgetsClient {
  constructor(readonly transport: AdminTransport) {}

  async list(): Promise<BudgetView[]> {
    return (await this.transport.call(budgetRoutes.list, {})).budgets;
  }

  async get(name: string): Promise<BudgetView> {
    return (await this.transport.call(budgetRoutes.get, { params: { name } })).budget;
  }

  async set(name: string, change: BudgetChange): Promise<BudgetView> {
    return (await this.transport.call(budgetRoutes.set, { params: { name }, body: change })).budget;
  }

  async remove(name: string): Promise<void> {
    await this.transport.call(budgetRoutes.remove, { params: { name } });
  }
}
