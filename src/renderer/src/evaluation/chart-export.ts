/**
 * Exports a chart that recharts drew as SVG: the SVG itself (standalone, with its own
 * background and font so it reads on its own) and a PNG rendered from it at 2x.
 */

/** One legend line of an exported chart. */
export interface LegendEntry {
  label: string;
  colour: string;
  kind: 'line' | 'point';
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const LEGEND_ROW = 18;

function svgElement(name: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/**
 * Serialises an SVG element into a standalone SVG document: its own background, font and a
 * legend drawn in SVG below the plot (the on-screen legend is HTML and would not come along).
 */
export function standaloneSvg(
  svg: SVGSVGElement,
  legend: LegendEntry[] = [],
  background = '#15171a',
): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const width = svg.clientWidth || Number(svg.getAttribute('width')) || 600;
  const plotHeight = svg.clientHeight || Number(svg.getAttribute('height')) || 400;
  const height = plotHeight + (legend.length > 0 ? legend.length * LEGEND_ROW + 10 : 0);
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clone.setAttribute('font-family', 'DejaVu Sans, Arial, sans-serif');
  clone.insertBefore(
    svgElement('rect', { width: '100%', height: '100%', fill: background }),
    clone.firstChild,
  );
  legend.forEach((entry, i) => {
    const y = plotHeight + 4 + i * LEGEND_ROW + LEGEND_ROW / 2;
    clone.appendChild(
      entry.kind === 'line'
        ? svgElement('line', {
            x1: 16,
            x2: 40,
            y1: y,
            y2: y,
            stroke: entry.colour,
            'stroke-width': 2,
          })
        : svgElement('circle', { cx: 28, cy: y, r: 4, fill: entry.colour }),
    );
    const text = svgElement('text', { x: 48, y: y + 4, fill: '#e3e6ea', 'font-size': 11 });
    text.textContent = entry.label;
    clone.appendChild(text);
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/** Renders SVG text to PNG bytes through an <img> and a canvas. */
export async function svgToPng(
  svgText: string,
  width: number,
  height: number,
  scale = 2,
): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The chart could not be rendered to PNG.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas to render the chart.');
    ctx.scale(scale, scale);
    ctx.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed.'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Offers a blob as a file download. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the chart inside `container` as SVG or PNG. */
export async function exportChart(
  container: HTMLElement | null,
  baseName: string,
  format: 'svg' | 'png',
  legend: LegendEntry[] = [],
): Promise<void> {
  const svg = container?.querySelector('.recharts-wrapper > svg.recharts-surface');
  if (!(svg instanceof SVGSVGElement)) throw new Error('The chart is not drawn yet.');
  const text = standaloneSvg(svg, legend);
  if (format === 'svg') {
    downloadBlob(`${baseName}.svg`, new Blob([text], { type: 'image/svg+xml' }));
    return;
  }
  const height =
    (svg.clientHeight || 400) + (legend.length > 0 ? legend.length * LEGEND_ROW + 10 : 0);
  downloadBlob(`${baseName}.png`, await svgToPng(text, svg.clientWidth || 600, height));
}
