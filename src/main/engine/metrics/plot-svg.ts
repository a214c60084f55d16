/**
 * ROC and precision-recall plots as SVG text, readable on their own: title, axes with ticks and
 * labels, a legend with each curve's area, and single operating points (the second observer).
 * Colours are Okabe-Ito, safe for the common colour-vision deficiencies; points also differ in
 * shape, so the plot reads in grey too.
 */

/** The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2002). */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** A curve to draw. */
export interface PlotSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  dashed?: boolean;
}

/** A single operating point (e.g. the second observer), drawn as a marker. */
export interface PlotPoint {
  label: string;
  x: number;
  y: number;
  color: string;
  shape: 'diamond' | 'circle' | 'square';
}

export interface CurvePlotSpec {
  title: string;
  /** A second title line: the protocol, so the figure says how it was scored. */
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  points: readonly PlotPoint[];
  /** Draw the chance diagonal (ROC). */
  diagonal?: boolean;
  legendCorner: 'bottom-right' | 'bottom-left';
}

const WIDTH = 720;
const HEIGHT = 620;
/** Around the plot area: the titles above, the tick labels and axis titles left and below. */
const MARGIN = { left: 86, right: 28, top: 78, bottom: 70 } as const;
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const px = (x: number) => MARGIN.left + x * PLOT_W;
const py = (y: number) => MARGIN.top + (1 - y) * PLOT_H;
const fixed = (v: number) => v.toFixed(2);

/** Polyline points in pixels, leaving out points within half a pixel of the last one drawn. */
function polylinePoints(x: readonly number[], y: readonly number[]): string {
  const out: string[] = [];
  let lastX = -Infinity;
  let lastY = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const sx = px(x[i]);
    const sy = py(y[i]);
    const isLast = i === x.length - 1;
    if (!isLast && Math.abs(sx - lastX) < 0.5 && Math.abs(sy - lastY) < 0.5) continue;
    out.push(`${fixed(sx)},${fixed(sy)}`);
    lastX = sx;
    lastY = sy;
  }
  return out.join(' ');
}

function marker(shape: PlotPoint['shape'], cx: number, cy: number, color: string): string {
  const stroke = `fill="${color}" stroke="#000000" stroke-width="1.2"`;
  if (shape === 'circle') return `<circle cx="${fixed(cx)}" cy="${fixed(cy)}" r="6" ${stroke}/>`;
  if (shape === 'square') {
    return `<rect x="${fixed(cx - 5.5)}" y="${fixed(cy - 5.5)}" width="11" height="11" ${stroke}/>`;
  }
  const d = `M ${fixed(cx)} ${fixed(cy - 8)} L ${fixed(cx + 8)} ${fixed(cy)} L ${fixed(cx)} ${fixed(cy + 8)} L ${fixed(cx - 8)} ${fixed(cy)} Z`;
  return `<path d="${d}" ${stroke}/>`;
}

function axes(spec: CurvePlotSpec): string[] {
  const parts: string[] = [];
  for (let t = 0; t <= 5; t++) {
    const v = t / 5;
    parts.push(
      `<line x1="${fixed(px(v))}" y1="${MARGIN.top}" x2="${fixed(px(v))}" y2="${MARGIN.top + PLOT_H}" stroke="#dddddd" stroke-width="1"/>`,
      `<line x1="${MARGIN.left}" y1="${fixed(py(v))}" x2="${MARGIN.left + PLOT_W}" y2="${fixed(py(v))}" stroke="#dddddd" stroke-width="1"/>`,
      `<text x="${fixed(px(v))}" y="${MARGIN.top + PLOT_H + 22}" text-anchor="middle" font-size="14">${v.toFixed(1)}</text>`,
      `<text x="${MARGIN.left - 10}" y="${fixed(py(v) + 5)}" text-anchor="end" font-size="14">${v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#000000" stroke-width="1.2"/>`,
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 18}" text-anchor="middle" font-size="16">${escapeXml(spec.xLabel)}</text>`,
    `<text x="22" y="${MARGIN.top + PLOT_H / 2}" text-anchor="middle" font-size="16" transform="rotate(-90 22 ${MARGIN.top + PLOT_H / 2})">${escapeXml(spec.yLabel)}</text>`,
    `<text x="${WIDTH / 2}" y="30" text-anchor="middle" font-size="19" font-weight="bold">${escapeXml(spec.title)}</text>`,
    `<text x="${WIDTH / 2}" y="54" text-anchor="middle" font-size="13" fill="#333333">${escapeXml(spec.subtitle)}</text>`,
  );
  return parts;
}

function legend(spec: CurvePlotSpec): string[] {
  const entries = [
    ...spec.series.map((s) => ({ kind: 'line' as const, label: s.label, series: s })),
    ...spec.points.map((p) => ({ kind: 'point' as const, label: p.label, point: p })),
  ];
  const lineHeight = 24;
  // Wide enough for the longest label at about 7.6 px per character of 14 px text.
  const width = Math.min(PLOT_W - 20, 56 + Math.max(...entries.map((e) => e.label.length)) * 7.6);
  const height = entries.length * lineHeight + 14;
  const x0 =
    spec.legendCorner === 'bottom-right' ? MARGIN.left + PLOT_W - width - 12 : MARGIN.left + 12;
  const y0 = MARGIN.top + PLOT_H - height - 12;
  const parts = [
    `<rect x="${fixed(x0)}" y="${fixed(y0)}" width="${fixed(width)}" height="${height}" fill="#ffffff" fill-opacity="0.92" stroke="#888888"/>`,
  ];
  entries.forEach((entry, i) => {
    const cy = y0 + 19 + i * lineHeight;
    if (entry.kind === 'line') {
      const dash = entry.series.dashed ? ' stroke-dasharray="7 5"' : '';
      parts.push(
        `<line x1="${fixed(x0 + 10)}" y1="${fixed(cy - 4)}" x2="${fixed(x0 + 40)}" y2="${fixed(cy - 4)}" stroke="${entry.series.color}" stroke-width="3"${dash}/>`,
      );
    } else {
      parts.push(marker(entry.point.shape, x0 + 25, cy - 4, entry.point.color));
    }
    parts.push(
      `<text x="${fixed(x0 + 48)}" y="${fixed(cy)}" font-size="14">${escapeXml(entry.label)}</text>`,
    );
  });
  return parts;
}

/** The whole plot as a standalone SVG document. */
export function curvePlotSvg(spec: CurvePlotSpec): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${FONT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...axes(spec),
  ];
  if (spec.diagonal) {
    parts.push(
      `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999999" stroke-width="1.2" stroke-dasharray="4 4"/>`,
    );
  }
  for (const s of spec.series) {
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    parts.push(
      `<polyline points="${polylinePoints(s.x, s.y)}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round"${dash}/>`,
    );
  }
  for (const p of spec.points) parts.push(marker(p.shape, px(p.x), py(p.y), p.color));
  parts.push(...legend(spec), '</svg>');
  return parts.join('\n');
}
