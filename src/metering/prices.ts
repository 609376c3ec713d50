/**
 * What an invocation would cost on a typical public cloud. Nimbus charges
 * nothing; the figure helps compare a self-hosted bill with a cloud one.
 */
export interface PriceTable {
  /** Dollars per million requests. */
  perMillionRequests: number;
  /** Dollars per GB-second of configured memory × billed time. */
  perGbSecond: number;
}

/** The common public-cloud list price for on-demand functions (x86). */
export const DEFAULT_PRICES: PriceTable = {
  perMillionRequests: 0.2,
  perGbSecond: 0.0000166667,
};

/** Dollars, kept to a millionth of a cent so sums read cleanly. */
const COST_DECIMALS = 8;

export function costOf(usage: { requests: number; gbSeconds: number }, prices: PriceTable = DEFAULT_PRICES): number {
  const dollars = (usage.requests / 1_000_000) * prices.perMillionRequests + usage.gbSeconds * prices.perGbSecond;
  return Number(dollars.toFixed(COST_DECIMALS));
}

export function validatePriceTable(prices: PriceTable): PriceTable {
  for (const field of ['perMillionRequests', 'perGbSecond'] as const) {
    if (!Number.isFinite(prices[field]) || prices[field] < 0) {
      throw new RangeError(`prices.${field} must be a number of dollars, 0 or more; got ${prices[field]}`);
    }
  }
  return prices;
}
