/**
 * The files `eval --export` writes: per-image probability maps (16-bit PNG), binary masks and
 * error maps, metrics as CSV and JSON, ROC and PR points as CSV, and both plots as SVG and PNG
 * (the SVG rasterised by sharp's librsvg, so the two are the same picture).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { StoredCurve } from './curves';
import { OKABE_ITO } from './plot-svg';
import { writeProbabilityPng } from './probability-maps';
import { ROW_METRIC_NAMES, type CountsAndMetrics, type ProtocolRow } from './report';

/** One image's maps, all HxW row-major. */
export interface ExportImage {
  id: string;
  /** File name stem, the same as the image's (`01_test`). */
  stem: string;
  width: number;
  height: number;
  scores: Float32Array;
  label: Uint8Array;
  fov: Uint8Array;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Error-map colours: orange and blue are the Okabe-Ito pair that stays distinct for red-green
 * colour blindness; correct vessels are white, correct background black, outside the FOV grey.
 */
export const ERROR_MAP_COLOURS = {
  truePositive: [255, 255, 255],
  falsePositive: hexToRgb(OKABE_ITO.orange),
  falseNegative: hexToRgb(OKABE_ITO.blue),
  trueNegative: [0, 0, 0],
  outsideFov: [96, 96, 96],
} as const satisfies Record<string, readonly [number, number, number]>;

/** An RGB error map at a threshold (`p >= t` is a vessel). */
export function errorMapRgb(image: ExportImage, threshold: number): Uint8Array {
  const rgb = new Uint8Array(image.scores.length * 3);
  const c = ERROR_MAP_COLOURS;
  for (let i = 0; i < image.scores.length; i++) {
    const predicted = image.scores[i] >= threshold;
    const vessel = image.label[i] !== 0;
    const colour =
      image.fov[i] === 0
        ? c.outsideFov
        : vessel
          ? predicted
            ? c.truePositive
            : c.falseNegative
          : predicted
            ? c.falsePositive
            : c.trueNegative;
    rgb[i * 3] = colour[0];
    rgb[i * 3 + 1] = colour[1];
    rgb[i * 3 + 2] = colour[2];
  }
  return rgb;
}

/** Writes probabilities/, masks/ and errors/ PNGs for every image; returns the files. */
export async function writeImageMaps(
  dir: string,
  images: readonly ExportImage[],
  threshold: number,
): Promise<string[]> {
  const folders = ['probabilities', 'masks', 'errors'].map((name) => path.join(dir, name));
  await Promise.all(folders.map((folder) => mkdir(folder, { recursive: true })));
  const files: string[] = [];
  for (const image of images) {
    const [probabilities, masks, errors] = folders.map((f) => path.join(f, `${image.stem}.png`));
    await writeProbabilityPng(probabilities, {
      width: image.width,
      height: image.height,
      data: image.scores,
    });
    const mask = new Uint8Array(image.scores.length);
    for (let i = 0; i < mask.length; i++) mask[i] = image.scores[i] >= threshold ? 255 : 0;
    const raw = { width: image.width, height: image.height };
    await sharp(mask, { raw: { ...raw, channels: 1 } })
      .png()
      .toFile(masks);
    await sharp(errorMapRgb(image, threshold), { raw: { ...raw, channels: 3 } })
      .png()
      .toFile(errors);
    files.push(probabilities, masks, errors);
  }
  return files;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const COUNT_NAMES = ['tp', 'fp', 'fn', 'tn'] as const;

/**
 * Metrics as CSV: pooled rows, and for per-image protocols the mean, the std and every image,
 * each line naming its protocol in full.
 */
export function metricsCsv(rows: readonly ProtocolRow[]): string {
  const header = [
    'row',
    'subject',
    'region',
    'aggregation',
    'reference',
    'threshold',
    'threshold_chosen_on',
    'statistic',
    'image',
    ...COUNT_NAMES,
    ...ROW_METRIC_NAMES,
    'description',
  ];
  const lines = [header.join(',')];
  const line = (
    row: ProtocolRow,
    statistic: string,
    image: string,
    values: Partial<CountsAndMetrics>,
  ) => {
    const t = row.protocol.threshold;
    lines.push(
      [
        row.id,
        row.subject,
        row.protocol.region,
        row.protocol.aggregation,
        row.protocol.reference,
        t?.value ?? '',
        t?.chosenOn ?? 'binary map',
        statistic,
        image,
        ...COUNT_NAMES.map((n) => values[n]),
        ...ROW_METRIC_NAMES.map((n) => values[n]),
        row.protocol.description,
      ]
        .map(csvField)
        .join(','),
    );
  };
  for (const row of rows) {
    if ('mean' in row) {
      line(row, 'mean', 'all', row.mean);
      line(row, 'std', 'all', row.std);
      for (const image of row.images) line(row, 'image', image.id, image);
    } else {
      line(row, 'pooled', 'all', row);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Curve points as CSV with the threshold of each point (empty for the start point). */
export function curveCsv(curve: StoredCurve, xName: string, yName: string): string {
  const lines = [`${xName},${yName},threshold`];
  for (let i = 0; i < curve.x.length; i++) {
    lines.push(`${curve.x[i]},${curve.y[i]},${curve.thresholds[i] ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `<name>.svg` and its rasterisation `<name>.png`; returns both paths. */
export async function writePlot(dir: string, name: string, svg: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const svgFile = path.join(dir, `${name}.svg`);
  const pngFile = path.join(dir, `${name}.png`);
  await writeFile(svgFile, svg);
  await sharp(Buffer.from(svg)).png().toFile(pngFile);
  return [svgFile, pngFile];
}
