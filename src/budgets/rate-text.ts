/** `200/s`, `12/min` for slow rates that are whole per minute, else `0.25/s`: a budget's rate as the CLI and the console show it. */
export function rateText(rate: { perSecond: number }): string {
  const perMinute = rate.perSecond * 60;
  if (rate.perSecond < 1 && Math.abs(perMinute - Math.round(perMinute)) < 1e-9) return `${Math.round(perMinute)}/min`;
  return `${Number(rate.perSecond.toPrecision(6))}/s`;
}
