import { MAX_BUDGET_BURST, MAX_BUDGET_CONCURRENCY, MAX_BUDGET_RATE_PER_SECOND } from '../../gateway/admin-routes/budgets.js';
import { BUDGET_NAME } from '../../triggers/function-settings.js';
import { adminTransport } from '../api/admin-transport.js';
import { BudgetsClient, type BudgetChange } from '../api/budgets-client.js';
import { UsageError } from '../cli-error.js';
import { commandGroup, integerOption, type Subcommand } from '../command-group.js';
import { flag, stringOption, type CliContext, type ParsedArgs } from '../command.js';
import { BUDGET_HEADERS, budgetRow, describeBudget } from '../output/budgets.js';
import { formatTable, printListing } from '../output/table.js';

const GROUP = 'budgets';

const client = (args: ParsedArgs, ctx: CliContext): BudgetsClient => new BudgetsClient(adminTransport(args, ctx));

const set: Subcommand = {
  name: 'set',
  summary: 'create a budget, or change what is given of one',
  usage: 'nimbus budgets set NAME [--concurrency N] [--rate 200/s|12000/min [--burst N]] [--adaptive [--min N] [--max N]] [--no-rate] [--no-adaptive]',
  help: [
    `--concurrency N  holders at once, 1-${MAX_BUDGET_CONCURRENCY} (required to create a budget)`,
    '--rate R         starts allowed, as N/s or N/min (token bucket); --no-rate removes the rate',
    '--burst N        starts allowed at once after a quiet time (default: one second of the rate, at least 1)',
    '--adaptive       the limit follows the downstream\'s health, between --min (default 1) and --max (default the concurrency)',
    '--no-adaptive    a fixed limit again',
    'On an existing budget only what is given changes. Functions name budgets with `uses` (docs/budgets.md).',
  ],
  options: {
    concurrency: { type: 'string' }, rate: { type: 'string' }, burst: { type: 'string' }, 'no-rate': { type: 'boolean' },
    adaptive: { type: 'boolean' }, min: { type: 'string' }, max: { type: 'string' }, 'no-adaptive': { type: 'boolean' },
  },
  positionals: { names: ['NAME'] },
  async run(args, ctx) {
    const name = checkName(args.positionals[0]!);
    const change = await changeOf(args, () => client(args, ctx).get(name));
    const budget = await client(args, ctx).set(name, change);
    ctx.out(`${budget.createdAt === budget.updatedAt ? 'Created' : 'Updated'} budget ${name}: ${describeBudget(budget)}`);
    return 0;
  },
};

const ls: Subcommand = {
  name: 'ls',
  summary: 'budgets with their limit, what this node holds and waits for now, and who uses them',
  usage: 'nimbus budgets ls [--json]',
  help: [
    '--json  print {budgets: [...]} as the admin API returns it',
    'IN USE, WAITING and THROTTLED are this node\'s; ADAPTIVE is the limit in force now (bounds in brackets).',
  ],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const budgets = await client(args, ctx).list();
    printListing(ctx.out, flag(args, 'json'), {
      json: { budgets },
      empty: budgets.length === 0,
      emptyLine: 'No budgets. Create one with: nimbus budgets set NAME --concurrency N',
      lines: () => formatTable(BUDGET_HEADERS, budgets.map(budgetRow)),
    });
    return 0;
  },
};

const rm: Subcommand = {
  name: 'rm',
  summary: 'remove a budget no live version uses',
  usage: 'nimbus budgets rm NAME',
  help: [],
  options: {},
  positionals: { names: ['NAME'] },
  async run(args, ctx) {
    const name = checkName(args.positionals[0]!);
    await client(args, ctx).remove(name);
    ctx.out(`Removed budget ${name}`);
    return 0;
  },
};

export const budgetsCommand = commandGroup({ name: GROUP, summary: 'set, list and remove downstream budgets (shared limits)', subcommands: [set, ls, rm] });

function checkName(name: string): string {
  if (!BUDGET_NAME.test(name)) throw new UsageError(`"${name}" is not a budget name: 1-63 lower-case letters, digits and dashes, starting with a letter`, GROUP);
  return name;
}

/**
 * The PUT body for what the options give. `--burst` alone changes the burst
 * of the budget's rate, so the rate is read first (`current`).
 */
async function changeOf(args: ParsedArgs, current: () => Promise<{ rate: { perSecond: number } | null }>): Promise<BudgetChange> {
  const concurrency = integerOption(args, 'concurrency', GROUP, 1, MAX_BUDGET_CONCURRENCY);
  const rawRate = stringOption(args, 'rate');
  const burst = integerOption(args, 'burst', GROUP, 1, MAX_BUDGET_BURST);
  const min = integerOption(args, 'min', GROUP, 1, MAX_BUDGET_CONCURRENCY);
  const max = integerOption(args, 'max', GROUP, 1, MAX_BUDGET_CONCURRENCY);
  const adaptive = flag(args, 'adaptive') || min !== undefined || max !== undefined;
  if (flag(args, 'no-rate') && (rawRate !== undefined || burst !== undefined)) throw new UsageError('--no-rate cannot go with --rate or --burst', GROUP);
  if (flag(args, 'no-adaptive') && adaptive) throw new UsageError('--no-adaptive cannot go with --adaptive, --min or --max', GROUP);
  if (min !== undefined && max !== undefined && min > max) throw new UsageError(`--min (${min}) is above --max (${max})`, GROUP);

  const change: BudgetChange = {};
  if (concurrency !== undefined) change.concurrency = concurrency;
  if (flag(args, 'no-rate')) change.rate = null;
  else if (rawRate !== undefined) change.rate = { perSecond: parseRate(rawRate), ...(burst !== undefined ? { burst } : {}) };
  else if (burst !== undefined) {
    const rate = (await current()).rate;
    if (!rate) throw new UsageError('--burst needs a rate: give --rate too (the budget has none)', GROUP);
    change.rate = { perSecond: rate.perSecond, burst };
  }
  if (flag(args, 'no-adaptive')) change.adaptive = false;
  else if (adaptive) change.adaptive = min === undefined && max === undefined ? true : { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  if (Object.keys(change).length === 0) throw new UsageError('nothing to set: give --concurrency, --rate, --burst, --adaptive, --min, --max, --no-rate or --no-adaptive', GROUP);
  return change;
}

const PER = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60 } as const;

/** `200/s`, `12000/min` → starts per second. */
export function parseRate(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\/(s|sec|second|m|min|minute)$/.exec(raw.trim());
  const perSecond = match ? Number(match[1]) / PER[match[2] as keyof typeof PER] : NaN;
  if (!(perSecond > 0) || perSecond > MAX_BUDGET_RATE_PER_SECOND) {
    throw new UsageError(`--rate must be starts per second or per minute above 0 and at most ${MAX_BUDGET_RATE_PER_SECOND}/s, like 200/s or 12000/min; got "${raw}"`, GROUP);
  }
  return perSecond;
}
