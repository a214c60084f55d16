import { describe, expect, it } from 'vitest';
import { curvePlotSvg, escapeXml, OKABE_ITO } from './plot-svg';

describe('curvePlotSvg', () => {
  const svg = curvePlotSvg({
    title: 'ROC curve',
    subtitle: 'inside the FOV, pooled',
    xLabel: 'False positive rate',
    yLabel: 'True positive rate',
    series: [{ label: 'Ours (AUC 0.9790)', x: [0, 0.1, 1], y: [0, 0.8, 1], color: OKABE_ITO.blue }],
    points: [
      {
        label: 'Second observer <2nd>',
        x: 0.25,
        y: 0.75,
        color: OKABE_ITO.vermillion,
        shape: 'diamond',
      },
    ],
    diagonal: true,
    legendCorner: 'bottom-right',
  });

  it('draws axes, labels, legend, curve and point as one SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    for (const text of [
      'ROC curve',
      'inside the FOV, pooled',
      'False positive rate',
      'True positive rate',
      'Ours (AUC 0.9790)',
    ]) {
      expect(svg).toContain(`>${text}</text>`);
    }
    expect(svg).toContain('Second observer &lt;2nd&gt;');
    expect(svg).toContain('<polyline');
    expect(svg).toContain('stroke-dasharray="4 4"');
    // Ticks 0.0 to 1.0 on both axes.
    expect(svg.match(/>0\.6<\/text>/g)).toHaveLength(2);
    // The diamond's top vertex: x = 86 + 0.25 * 606, y = 78 + 0.25 * 472 - 8.
    expect(svg).toContain('M 237.50 188.00');
  });

  it('escapes the five XML specials it can meet', () => {
    expect(escapeXml('a < b & "c" > d')).toBe('a &lt; b &amp; &quot;c&quot; &gt; d');
  });
});
