import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatNumber } from '../format.js';

export interface ChartSeries {
  /** Names the series in the page's data (`data-points`). */
  key: string;
  label: string;
  color: string;
  values: (number | null)[];
}

export interface ChartProps {
  title: string;
  unit: string;
  /** Epoch ms of each point. */
  times: number[];
  series: ChartSeries[];
}

const HEIGHT = 170;
const WINDOW_S = 3600;

/**
 * A uPlot line chart that redraws in place when its data changes. The data
 * drawn is also on the element (`data-points`), and a one-line summary is its
 * text alternative; with no points at all it says "no data" instead.
 */
export function Chart({ title, unit, times, series }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.key).join(',');
  const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
  const empty = times.length === 0;

  useEffect(() => {
    if (empty || !box.current) return;
    const element = box.current;
    const chart = new uPlot({
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true,
        // A series with gaps (durations of quiet minutes) may be lone points: they are drawn as dots.
        points: { show: s.values.some((v) => v === null), size: 5 } }))],
      // Always the whole last hour, however few points there are yet.
      scales: { x: { time: true, range: (_u: uPlot, _min: number, max: number) => [max - WINDOW_S, max] } },
      axes: [{}, { size: 56, values: (_u: uPlot, values: number[]) => values.map((v) => formatNumber(v, 2)) }],
      legend: { show: series.length > 1 },
      cursor: { drag: { x: false, y: false } },
    }, data, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The chart is made again only when its series change; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, empty]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure class="chart" data-chart={series.map((s) => s.key).join(' ')} data-points={JSON.stringify({ t: times, ...Object.fromEntries(series.map((s) => [s.key, s.values])) })}>
      <figcaption>{title}</figcaption>
      {empty
        ? <p class="no-data">no data</p>
        : <div ref={box} role="img" aria-label={`${title}: ${summary(series, unit)}`} />}
    </figure>
  );
}

function summary(series: ChartSeries[], unit: string): string {
  return series.map((s) => {
    const values = s.values.filter((v): v is number => v !== null);
    const latest = values[values.length - 1];
    return `${s.label} latest ${latest === undefined ? 'none' : `${formatNumber(latest, 2)} ${unit}`}, highest ${values.length ? `${formatNumber(Math.max(...values), 2)} ${unit}` : 'none'}`;
  }).join('; ');
}
