import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatNumber } from '../../format.js';
import { formatCost, timeOfKey, type Grouping, type UsageRow } from './usage-table.js';

const HEIGHT = 220;

/**
 * Invocations and errors per row as bars, cost as a line on its own axis:
 * against time for hours and days, against the function's name otherwise.
 * The points drawn are also on the element (`data-points`).
 */
export function UsageChart({ rows, by }: { rows: UsageRow[]; by: Grouping }) {
  const box = useRef<HTMLDivElement>(null);
  const byTime = by !== 'function';
  const xs = rows.map((r, i) => (byTime ? timeOfKey(r.key) / 1000 : i));
  const data: uPlot.AlignedData = [xs, rows.map((r) => r.invocations), rows.map((r) => r.errors), rows.map((r) => r.cost)];
  const points = { keys: rows.map((r) => r.key), invocations: rows.map((r) => r.invocations), errors: rows.map((r) => r.errors), cost: rows.map((r) => r.cost) };
  const empty = rows.length === 0;

  useEffect(() => {
    if (empty || !box.current) return;
    const element = box.current;
    // Invocations and errors side by side in each slot.
    const left = uPlot.paths.bars!({ size: [0.35, 40], gap: 1, align: -1 });
    const right = uPlot.paths.bars!({ size: [0.35, 40], gap: 1, align: 1 });
    const keys = rows.map((r) => r.key);
    const chart = new uPlot({
      width: Math.max(240, element.clientWidth),
      height: HEIGHT,
      series: [
        {},
        { label: 'invocations', stroke: '#1f5fbf', fill: 'rgba(31,95,191,.35)', paths: left, points: { show: false } },
        { label: 'errors', stroke: '#b3261e', fill: 'rgba(179,38,30,.45)', paths: right, points: { show: false } },
        { label: 'cost ($)', stroke: '#1e6b34', width: 2, scale: 'cost', points: { size: 6 } },
      ],
      scales: {
        x: byTime ? { time: true } : { time: false, range: () => [-0.5, keys.length - 0.5] },
        y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, max)] },
        cost: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        byTime ? {} : { splits: () => keys.map((_, i) => i), values: (_u: uPlot, splits: number[]) => splits.map((i) => keys[i] ?? '') },
        { size: 56, values: (_u: uPlot, values: number[]) => values.map((v) => formatNumber(v)) },
        { scale: 'cost', side: 1, size: 110, grid: { show: false }, values: (_u: uPlot, values: number[]) => values.map((v) => `$${formatCost(v)}`) },
      ],
      cursor: { drag: { x: false, y: false } },
    }, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(240, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
    // Drawn again whenever the rows change: a usage answer is small and changes every few seconds at most.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(points), by]);

  const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return (
    <figure class="chart usage-chart" data-chart="usage" data-points={JSON.stringify(points)}>
      <figcaption>Invocations, errors and cost by {by}</figcaption>
      {empty
        ? <p class="no-data">no data</p>
        : <div ref={box} role="img" aria-label={`${rows.length} ${by === 'function' ? 'functions' : `${by}s`}: ${formatNumber(total(points.invocations))} invocations, ${formatNumber(total(points.errors))} errors, $${formatCost(total(points.cost))}`} />}
    </figure>
  );
}
