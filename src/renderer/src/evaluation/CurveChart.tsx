import { useRef, useState } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { exportChart, type LegendEntry } from './chart-export';
import type { CurvePoint, CurveSeries } from './curves';

/** Okabe-Ito: distinguishable with every common colour-vision deficiency. */
export const SERIES_COLOURS = [
  '#56b4e9',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#f0e442',
  '#0072b2',
  '#d55e00',
];
const POINT_SHAPES = ['star', 'diamond', 'triangle', 'square', 'cross', 'wye', 'circle'] as const;

/** Both axes: rates from 0 to 1, ticked every 0.2. */
const UNIT_AXIS = {
  type: 'number',
  domain: [0, 1],
  ticks: [0, 0.2, 0.4, 0.6, 0.8, 1],
  stroke: '#9aa3ad',
} satisfies { type: 'number'; domain: number[]; ticks: number[]; stroke: string };

function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length] as string;
}

/** The second observer is always white; other points take colours after the curves'. */
function pointColour(point: CurvePoint, i: number): string {
  return point.key === 'observer' ? '#ffffff' : seriesColour(i + 3);
}

export interface CurveChartProps {
  title: string;
  /** File name stem of the exports. */
  exportName: string;
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
  points: CurvePoint[];
  /** Draw the chance diagonal (ROC). */
  diagonal?: boolean;
  testId: string;
}

/** A ROC or PR chart of several model versions with operating points, exportable as SVG and PNG. */
export function CurveChart(props: CurveChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const legend: LegendEntry[] = [
    ...props.series.map((s, i) => ({
      label: s.label,
      colour: seriesColour(i),
      kind: 'line' as const,
    })),
    ...props.points.map((p, i) => ({
      label: p.label,
      colour: pointColour(p, i),
      kind: 'point' as const,
    })),
  ];
  const save = (format: 'svg' | 'png') => {
    setError(null);
    exportChart(container.current, props.exportName, format, legend).catch((e: unknown) =>
      setError((e as Error).message),
    );
  };
  return (
    <figure className="curve-chart" data-testid={props.testId} data-series={props.series.length}>
      <figcaption>
        <span>{props.title}</span>
        <span className="chart-actions">
          <button type="button" onClick={() => save('svg')}>
            SVG
          </button>
          <button type="button" onClick={() => save('png')}>
            PNG
          </button>
        </span>
      </figcaption>
      <div ref={container}>
        <ComposedChart width={420} height={360} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
          <CartesianGrid stroke="#31363c" />
          <XAxis
            {...UNIT_AXIS}
            dataKey="x"
            label={{ value: props.xLabel, position: 'insideBottom', offset: -14, fill: '#c9d1d9' }}
          />
          <YAxis
            {...UNIT_AXIS}
            dataKey="y"
            label={{ value: props.yLabel, angle: -90, position: 'insideLeft', fill: '#c9d1d9' }}
          />
          <Tooltip
            formatter={(value) => (typeof value === 'number' ? value.toFixed(4) : String(value))}
            contentStyle={{ background: '#1d2024', border: '1px solid #31363c' }}
          />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 11 }} />
          {props.diagonal && (
            <Line
              data={[
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ]}
              dataKey="y"
              name="Chance"
              stroke="#5c6570"
              strokeDasharray="4 4"
              dot={false}
              isAnimationActive={false}
              legendType="none"
            />
          )}
          {props.series.map((s, i) => (
            <Line
              key={s.key}
              className="curve-series"
              data={s.points}
              dataKey="y"
              name={s.label}
              stroke={seriesColour(i)}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          ))}
          {props.points.map((p, i) => (
            <Scatter
              key={p.key}
              data={[{ x: p.x, y: p.y }]}
              name={p.label}
              fill={
                p.key === 'observer' ? '#ffffff' : SERIES_COLOURS[(i + 3) % SERIES_COLOURS.length]
              }
              shape={p.key === 'observer' ? 'star' : POINT_SHAPES[i % POINT_SHAPES.length]}
              isAnimationActive={false}
            />
          ))}
        </ComposedChart>
      </div>
      {error && <p className="inline-error">{error}</p>}
    </figure>
  );
}
