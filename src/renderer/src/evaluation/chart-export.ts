/**
 * Exports a chart that recharts drew as SVG: the SVG itself (standalone, with its own
 * background and font so it reads on its own) and a PNG rendered from it at 2x.
 */

/** Serialises an SVG element into a standalone SVG document. */
export function standaloneSvg(svg: SVGSVGElement, background = '#15171a'): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const width = svg.clientWidth || Number(svg.getAttribute('width')) || 600;
  const height = svg.clientHeight || Number(svg.getAttribute('height')) || 400;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clone.setAttribute('font-family', 'DejaVu Sans, Arial, sans-serif');
  const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', background);
  clone.insertBefore(rect, clone.firstChild);
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
): Promise<void> {
  const svg = container?.querySelector('svg.recharts-surface');
  if (!(svg instanceof SVGSVGElement)) throw new Error('The chart is not drawn yet.');
  const text = standaloneSvg(svg);
  if (format === 'svg') {
    downloadBlob(`${baseName}.svg`, new Blob([text], { type: 'image/svg+xml' }));
    return;
  }
  downloadBlob(
    `${baseName}.png`,
    await svgToPng(text, svg.clientWidth || 600, svg.clientHeight || 400),
  );
}
