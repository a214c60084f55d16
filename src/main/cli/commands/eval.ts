/**
 * `eval`: scores vessel probabilities on a split of any dataset `inspect` recognises (a set that
 * ships no split is scored as its one split, `all`) under every protocol and prints our row
 * beside the second observer and the published rows that belong to that dataset and protocol
 * (only DRIVE's test split has any), saying which protocol each number used and how the FOV was had.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  OUR_PROTOCOL_DESCRIPTION,
  PUBLISHED_DRIVE_RESULTS,
  UNET_PAPER_CLAIMS,
  UNET_PAPER_SOURCE,
  type PublishedResult,
} from '../../../shared/published-results';
import { parseBackendName } from '../../compute/backends';
import type { ImageScale } from '../../compute/rescale';
import { bundledModelDir } from '../../engine/studio/bundled-model';
import {
  evaluateDatasetSplit,
  type DatasetEvaluation,
} from '../../engine/metrics/dataset-evaluation';
import {
  curveCsv,
  metricsCsv,
  writeImageMaps,
  writePlot,
  ERROR_MAP_COLOURS,
} from '../../engine/metrics/export';
import { leftOutImages, problemLines } from '../../engine/metrics/bad-files';
import { curvePlotSvg, OKABE_ITO, type PlotPoint } from '../../engine/metrics/plot-svg';
import { checkPredictionFolder } from '../../engine/metrics/probability-maps';
import {
  openModelSource,
  predictionFolderSource,
  type ModelSource,
  type ProbabilitySource,
} from '../../engine/metrics/probability-sources';
import type { PerImageRow, PooledRow, ProtocolRow } from '../../engine/metrics/report';
import {
  FLIP_OPTIONS,
  skipBadOption,
  skipBadOptions,
  stringOption,
  UsageError,
  viewFlags,
  type CliCommand,
} from '../command';
import { scaleOption, SCALE_OPTIONS } from './predict';

const PRIMARY_ROW = 'model/fov/t0.5/pooled';
const OBSERVER_ROW = 'second-observer/fov/binary/pooled';

const f4 = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(4));
const pct = (v: number) => v.toLocaleString('en-US');

function findRow<T extends ProtocolRow>(rows: readonly ProtocolRow[], id: string): T | null {
  return (rows.find((r) => r.id === id) as T | undefined) ?? null;
}

/** The fixed top-level shape of a row in --json: counts and every metric. */
function headline(row: PooledRow, withRanking: boolean) {
  const base = {
    protocol: row.protocol.description,
    tp: row.tp,
    fp: row.fp,
    fn: row.fn,
    tn: row.tn,
    precision: row.precision,
    recall: row.recall,
    specificity: row.specificity,
    accuracy: row.accuracy,
    f1: row.f1,
    iou: row.iou,
    mcc: row.mcc,
  };
  return withRanking ? { ...base, auc: row.auc, ap: row.ap } : base;
}

function tableLine(
  name: string,
  v: {
    f1?: number | null;
    recall?: number | null;
    specificity?: number | null;
    accuracy?: number | null;
    precision?: number | null;
    auc?: number | null;
  },
  note: string,
): string {
  const cells = [v.f1, v.recall, v.specificity, v.accuracy, v.precision, v.auc].map((x) =>
    f4(x).padEnd(8),
  );
  return `  ${name.padEnd(NAME_WIDTH)}${cells.join('')}${note}`;
}

// Wide enough for the longest published method name.
const NAME_WIDTH = Math.max(44, ...PUBLISHED_DRIVE_RESULTS.map((r) => r.method.length + 2));

const TABLE_HEADER = `  ${'Method'.padEnd(NAME_WIDTH)}${['F1', 'Se', 'Sp', 'Acc', 'Prec', 'AUC'].map((h) => h.padEnd(8)).join('')}Notes`;

function publishedNote(row: PublishedResult): string {
  const check =
    row.verification.status === 'confirmed'
      ? 'confirmed against its source'
      : row.verification.status === 'partly confirmed'
        ? `partly confirmed (${row.verification.confirmed.join(', ')})`
        : 'not confirmed';
  const protocol =
    row.protocol.region === 'whole-image'
      ? 'WHOLE IMAGE, not the FOV'
      : row.comparableWithOurs
        ? 'FOV, pooled, 0.5'
        : 'protocol not stated';
  return `${protocol}; ${check}`;
}

/** The human-readable report. */
/** Timing of the model's inference on this machine, for the comparison with the paper's claim. */
interface InferenceTiming {
  backend: string | null;
  /** Whether each image's prediction is the mean over the four flips. */
  flips: boolean;
  /** The views each prediction averages, in words ("four flips"); null for one prediction. */
  views: string | null;
  images: number;
  secondsPerImageMedian: number;
  width: number;
  height: number;
}

/** "20 images", or "19 of 20 images" when --skip-bad left some out. */
function imageCountText(report: DatasetEvaluation): string {
  return report.imagesFound === report.imageCount
    ? `${report.imageCount} images`
    : `${report.imageCount} of ${report.imagesFound} images`;
}

/** The files --skip-bad went on without, each with what is wrong with it; none: no lines. */
function skippedLines(report: DatasetEvaluation): string[] {
  const { problems } = report.badFiles;
  if (problems.length === 0) return [];
  const left = leftOutImages(report.badFiles);
  return [
    `LEFT OUT (--skip-bad): ${left.length} image(s)${left.length > 0 ? `: ${left.join(', ')}` : ''}. The figures are over the rest; ${problems.length} file problem(s):`,
    ...problemLines(problems),
  ];
}

/** The training images the threshold was chosen on: "the 20 training images", or "2 of 3 ...". */
function trainingCountText(report: DatasetEvaluation): string {
  const training = report.badFiles.images.training;
  if (training === undefined) return 'the training images';
  const used = training.found - training.leftOut.length;
  return used === training.found
    ? `the ${used} training images`
    : `${used} of ${training.found} training images`;
}

const LAYOUT_NAMES: Record<DatasetEvaluation['layout'], string> = {
  drive: 'DRIVE',
  stare: 'STARE',
  chase: 'CHASE_DB1',
  hrf: 'HRF',
  generic: 'generic (images/ + labels/)',
};

/** "DRIVE test split" or "STARE all split (drive|stare|... layout)": the dataset and its layout. */
function datasetName(report: DatasetEvaluation): string {
  return `${LAYOUT_NAMES[report.layout]} ${report.split} split (${report.layout} layout, ${report.root})`;
}

/** How the FOV was had: "FOV: shipped masks" or "FOV: derived: <method, parameters>". */
function fovText(report: DatasetEvaluation): string {
  const { shipped, derived, method } = report.fov;
  if (derived === 0) return 'FOV: shipped masks.';
  const how = `derived: ${method}`;
  return shipped === 0
    ? `FOV: ${how}.`
    : `FOV: shipped masks for ${shipped} image(s), ${how} for ${derived}.`;
}

/**
 * The published rows that belong to this evaluation: DRIVE's rows are on its test split inside
 * its shipped FOV masks, so they are shown only for that; no other set has rows here.
 */
function publishedFor(report: DatasetEvaluation): readonly PublishedResult[] {
  return report.layout === 'drive' && report.split === 'test' && report.fov.derived === 0
    ? PUBLISHED_DRIVE_RESULTS
    : [];
}

/** Why no published row is shown, or null when some are. */
function noPublishedReason(report: DatasetEvaluation): string | null {
  if (publishedFor(report).length > 0) return null;
  if (report.layout !== 'drive')
    return `No published rows for ${LAYOUT_NAMES[report.layout]} are shipped with this app: the DRIVE rows are on another dataset and are not shown.`;
  if (report.split !== 'test')
    return `No published rows for the ${report.split} split: every published DRIVE row is on the test split.`;
  return 'No published rows: the published DRIVE rows are scored inside the shipped FOV masks, and some FOVs here were derived.';
}

/**
 * One line saying which resampling factors the model ran at, when any image was resampled
 * (scale-aware inference, compute/rescale.ts); null when every image was predicted at its own
 * size or no model ran.
 */
function scaleLine(scales: ReadonlyMap<string, ImageScale> | null): string | null {
  if (scales === null) return null;
  const factors = [...scales.values()].map((s) => s.factor);
  const resampled = factors.filter((f) => f !== 1);
  if (resampled.length === 0) return null;
  const min = Math.min(...resampled);
  const max = Math.max(...resampled);
  const x = (f: number) => `${Number(f.toFixed(3))}x`;
  const rest = resampled.length < factors.length ? ', the rest at their own size' : '';
  return `Scale: ${resampled.length} of ${factors.length} predicted images resampled before prediction (factor ${min === max ? x(min) : `${x(min)} to ${x(max)}`})${rest}; every map is scored at its image's own size (each image's factor: --json, per-image entries).`;
}

/** The per-image rows with each model image's scale factor (null: saved maps, scale unknown). */
function withScales(
  rows: readonly ProtocolRow[],
  scales: ReadonlyMap<string, ImageScale> | null,
): ProtocolRow[] {
  return rows.map((row) =>
    'mean' in row && row.subject === 'model'
      ? {
          ...row,
          images: row.images.map((image) => ({
            ...image,
            scale: scales?.get(image.id)?.factor ?? null,
          })),
        }
      : row,
  );
}

function describe(
  report: DatasetEvaluation,
  inference: InferenceTiming | null,
  scales: ReadonlyMap<string, ImageScale> | null,
): string {
  const rows = report.rows;
  const lines: string[] = [];
  lines.push(
    `${datasetName(report)}: ${imageCountText(report)}, ${pct(report.fovPixelCount)} pixels inside the FOV.`,
    fovText(report),
    ...(report.split === 'all'
      ? [
          'Every image of the set is scored: if the model was trained on some of them (train and the studio hold out only some images of a set without a test split), these are not held-out figures.',
        ]
      : []),
    ...skippedLines(report),
    `Probabilities: ${report.source}. Ground truth: ${report.reference} manual. A pixel is a vessel when p >= t.`,
    ...[scaleLine(scales)].filter((line): line is string => line !== null),
  );
  const tuned = report.thresholds.find((t) => t.chosenOn === 'training');
  lines.push(
    tuned
      ? `Thresholds: 0.5 (fixed) and ${tuned.value.toFixed(4)} (best pooled F1 ${f4(tuned.trainingF1)} on ${trainingCountText(report)}, never the test images).`
      : `Threshold: 0.5 (fixed). No training threshold: ${report.trainingThresholdNote}.`,
    '',
    noPublishedReason(report) ?? `Comparable rows: ${OUR_PROTOCOL_DESCRIPTION}.`,
    TABLE_HEADER,
  );
  for (const row of rows) {
    if (row.protocol.region !== 'fov' || 'mean' in row) continue;
    const name =
      row.subject === 'model'
        ? row.protocol.threshold!.chosenOn === 'fixed'
          ? 'Ours, threshold 0.5'
          : `Ours, threshold ${row.protocol.threshold!.value.toFixed(4)} (from training)`
        : `Second observer (${report.otherObserver} manual)`;
    lines.push(
      tableLine(name, row, row.subject === 'model' ? 'measured here' : 'measured here, binary map'),
    );
  }
  for (const row of publishedFor(report).filter((r) => r.comparableWithOurs)) {
    lines.push(tableLine(row.method, row.values, publishedNote(row)));
  }
  if (publishedFor(report).length > 0) {
    lines.push(
      '',
      'Published rows under another or an unstated protocol (not comparable as they stand):',
    );
    lines.push(TABLE_HEADER);
    for (const row of publishedFor(report).filter((r) => !r.comparableWithOurs)) {
      lines.push(tableLine(row.method, row.values, publishedNote(row)));
    }
  }

  lines.push('', 'Per image, inside the FOV (mean +- population std over the images):');
  for (const row of rows) {
    if (row.protocol.region !== 'fov' || !('mean' in row)) continue;
    const r = row as PerImageRow;
    const pm = (k: keyof PerImageRow['mean']) => `${f4(r.mean[k])} +- ${f4(r.std[k])}`;
    const who =
      row.subject === 'model'
        ? `Ours, threshold ${row.protocol.threshold!.chosenOn === 'fixed' ? '0.5' : row.protocol.threshold!.value.toFixed(4)}`
        : 'Second observer';
    lines.push(
      `  ${who}: F1 ${pm('f1')}, Se ${pm('recall')}, Sp ${pm('specificity')}, Acc ${pm('accuracy')}` +
        (row.subject === 'model' ? `, AUC ${pm('auc')}` : ''),
    );
  }

  lines.push(
    '',
    'WHOLE IMAGE (labelled: the easy background pixels outside the FOV inflate Acc and Sp; not comparable with the rows above):',
  );
  for (const row of rows) {
    if (row.protocol.region !== 'whole-image' || 'mean' in row) continue;
    const who =
      row.subject === 'model'
        ? `Ours, threshold ${row.protocol.threshold!.chosenOn === 'fixed' ? '0.5' : row.protocol.threshold!.value.toFixed(4)}, pooled`
        : 'Second observer, pooled';
    lines.push(
      `  ${who}: F1 ${f4(row.f1)}, Se ${f4(row.recall)}, Sp ${f4(row.specificity)}, Acc ${f4(row.accuracy)}` +
        (row.subject === 'model' ? `, AUC ${f4(row.auc)}` : ''),
    );
  }

  lines.push('', `The U-Net paper's own results (not on DRIVE; ${UNET_PAPER_SOURCE.citation}):`);
  for (const claim of UNET_PAPER_CLAIMS) {
    lines.push(`  ${claim.task}: ${claim.claim} [${claim.verification.status}]`);
  }
  lines.push(
    `  Here: ${inference === null ? 'no inference timed (saved probability maps were scored)' : `${inference.secondsPerImageMedian.toFixed(2)} s per ${inference.width}x${inference.height} image (median of ${inference.images}, ${inference.backend ?? 'no'} backend, this machine's CPU${inference.views ? `, ${inference.views} averaged` : ''})`}.`,
  );
  return lines.join('\n');
}

/** The README of an export folder: what each file is and how it was scored. */
function exportReadme(report: DatasetEvaluation): string {
  const c = ERROR_MAP_COLOURS;
  const rgb = (v: readonly number[]) => `RGB(${v.join(', ')})`;
  return [
    'Vessel Studio evaluation export',
    '',
    `Data: ${datasetName(report)}, ${imageCountText(report)}; probabilities: ${report.source}.`,
    fovText(report),
    ...skippedLines(report),
    `Ground truth: ${report.reference} manual. ${noPublishedReason(report) ?? `Primary protocol: ${OUR_PROTOCOL_DESCRIPTION}.`}`,
    '',
    'probabilities/<stem>.png  vessel probability, 16-bit grey, p = value / 65535',
    'masks/<stem>.png          binary mask at threshold 0.5 (p >= 0.5), 255 = vessel',
    `errors/<stem>.png         error map at 0.5 inside the FOV: true positive ${rgb(c.truePositive)}, false positive (orange) ${rgb(c.falsePositive)}, false negative (blue) ${rgb(c.falseNegative)}, true negative ${rgb(c.trueNegative)}, outside the FOV ${rgb(c.outsideFov)}`,
    'metrics.json              the full report (the same JSON as eval --json)',
    'metrics.csv               every protocol row: counts and metrics; per-image rows with mean, std and each image',
    'roc.csv, pr.csv           curve points inside the FOV, pooled (downsampled: area within 1e-4 of the exact one)',
    'roc.svg/png, pr.svg/png   the curves with the second observer and our operating points',
    '',
  ].join('\n');
}

/** The titles and axes of the exported ROC and PR plots, and the legend's corner (off the curve). */
const CURVE_PLOT_TEXT = {
  roc: {
    title: 'ROC curve',
    xLabel: 'False positive rate (1 - specificity)',
    yLabel: 'True positive rate (sensitivity)',
    legendCorner: 'bottom-right',
  },
  pr: {
    title: 'Precision-recall curve',
    xLabel: 'Recall (sensitivity)',
    yLabel: 'Precision',
    legendCorner: 'bottom-left',
  },
} as const;

async function exportAll(dir: string, report: DatasetEvaluation, json: unknown): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = await writeImageMaps(dir, report.images, 0.5);
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    files.push(file);
  };
  await write('README.txt', exportReadme(report));
  await write('metrics.json', `${JSON.stringify(json, null, 2)}\n`);
  await write('metrics.csv', metricsCsv(report.rows));
  const pooled = report.model.fov.pooled;
  if (pooled.roc) await write('roc.csv', curveCsv(pooled.roc, 'fpr', 'tpr'));
  if (pooled.pr) await write('pr.csv', curveCsv(pooled.pr, 'recall', 'precision'));

  const modelRows = report.rows.filter(
    (r): r is PooledRow => r.subject === 'model' && r.protocol.region === 'fov' && !('mean' in r),
  );
  const observer = findRow<PooledRow>(report.rows, OBSERVER_ROW);
  const subtitle = `${LAYOUT_NAMES[report.layout]} ${report.split} (${report.layout} layout), ${imageCountText(report)}, inside the FOV, pooled, vs ${report.reference} manual`;
  const rocPoints: PlotPoint[] = [];
  const prPoints: PlotPoint[] = [];
  modelRows.forEach((row, i) => {
    const t = row.protocol.threshold!;
    const label = `Ours at ${t.chosenOn === 'fixed' ? '0.5' : `${t.value.toFixed(3)} (training)`}: Se ${f4(row.recall)}, Sp ${f4(row.specificity)}`;
    const style = {
      color: OKABE_ITO.blue,
      shape: i === 0 ? ('circle' as const) : ('square' as const),
    };
    rocPoints.push({ label, x: 1 - row.specificity!, y: row.recall!, ...style });
    prPoints.push({
      ...style,
      label: label.replace(/Sp .*/, `P ${f4(row.precision)}`),
      x: row.recall!,
      y: row.precision ?? 0,
    });
  });
  if (observer) {
    const label = `Second observer (${report.otherObserver} manual): Se ${f4(observer.recall)}`;
    const style = { color: OKABE_ITO.vermillion, shape: 'diamond' as const };
    rocPoints.push({
      ...style,
      label: `${label}, Sp ${f4(observer.specificity)}`,
      x: 1 - observer.specificity!,
      y: observer.recall!,
    });
    prPoints.push({
      ...style,
      label: `${label}, P ${f4(observer.precision)}`,
      x: observer.recall!,
      y: observer.precision!,
    });
  }
  const plots = [
    { name: 'roc', curve: pooled.roc, ours: `Ours (AUC ${f4(pooled.auc)})`, points: rocPoints },
    { name: 'pr', curve: pooled.pr, ours: `Ours (AP ${f4(pooled.ap)})`, points: prPoints },
  ] as const;
  for (const { name, curve, ours, points } of plots) {
    if (!curve) continue;
    const svg = curvePlotSvg({
      ...CURVE_PLOT_TEXT[name],
      subtitle,
      series: [{ label: ours, x: curve.x, y: curve.y, color: OKABE_ITO.blue }],
      points,
      // Chance lies on the diagonal of ROC space only.
      diagonal: name === 'roc',
    });
    files.push(...(await writePlot(dir, name, svg)));
  }
  return files;
}

export const evalCommand: CliCommand = {
  name: 'eval',
  summary:
    'Score a model (or saved probability maps) on any dataset inspect recognises, beside the published results that belong to it and the second observer.',
  usage:
    '--data <folder> [--model <dir> | --predictions <dir>] [--split test|training|all] [--labels 1st|2nd] [--export <dir>] [--skip-bad] [--json]',
  description:
    'Every number says its protocol: inside the FOV or the whole image (labelled), pooled or per image, threshold 0.5 or chosen on the training images (never the test images). The second observer is scored the same way. ' +
    'A file the dataset check cannot use (truncated, empty, of another size, a label or mask missing) in the split evaluated, or in the training split that chooses the threshold, is refused with exit code 2 and named: a figure over fewer images, or over a derived FOV, is another protocol. --skip-bad evaluates without such files and names each in the report.',
  options: {
    data: {
      type: 'string',
      valueName: '<folder>',
      description:
        'The dataset folder: DRIVE, STARE, CHASE_DB1, HRF or generic (see inspect); a set without a split is scored as its one split, all.',
    },
    model: {
      type: 'string',
      valueName: '<dir>',
      description: 'Model folder to run (default: the bundled model in resources/models/default).',
    },
    predictions: {
      type: 'string',
      valueName: '<dir>',
      description:
        'Score saved probability maps instead: 8/16-bit PNGs named by image stem (01_test.png).',
    },
    split: {
      type: 'string',
      valueName: '<name>',
      description:
        'test, training or all (default: test where the set has one, else all). Published rows are shown only for the DRIVE test split.',
    },
    labels: {
      type: 'string',
      valueName: '1st|2nd',
      description: 'Ground truth observer (default 1st).',
    },
    export: {
      type: 'string',
      valueName: '<dir>',
      description: 'Write maps, error maps, metrics CSV/JSON, curve points and ROC/PR plots here.',
    },
    ...FLIP_OPTIONS,
    ...SCALE_OPTIONS,
    ...skipBadOptions(
      'Evaluate without the unusable files instead of refusing; the report and --json name every one ("N of M images").',
    ),
    'fixed-only': {
      type: 'boolean',
      description: 'Only threshold 0.5: do not choose a threshold on the training images.',
    },
  },
  async run(args, io) {
    const data = path.resolve(stringOption(args, 'data', true));
    const split = stringOption(args, 'split');
    if (split !== undefined && split !== 'test' && split !== 'training' && split !== 'all') {
      throw new UsageError(`--split must be test, training or all, got "${split}"`);
    }
    const labels = stringOption(args, 'labels') ?? '1st';
    if (labels !== '1st' && labels !== '2nd') {
      throw new UsageError(`--labels must be 1st or 2nd, got "${labels}"`);
    }
    const predictions = stringOption(args, 'predictions');
    const modelDir = stringOption(args, 'model');
    if (predictions !== undefined && modelDir !== undefined) {
      throw new UsageError('give either --model or --predictions, not both');
    }
    const exportDir = stringOption(args, 'export');
    const views = viewFlags(args);
    const scale = scaleOption(args);
    if (predictions !== undefined && args.values.scale !== undefined) {
      throw new UsageError(
        '--scale chooses how a model runs; saved --predictions are scored as they are',
      );
    }
    if (predictions !== undefined && Object.keys(views).length > 0) {
      throw new UsageError(
        '--flips, --no-flips, --turns and --no-turns choose how a model runs; saved --predictions are scored as they are',
      );
    }

    let source: ProbabilitySource;
    let model: ModelSource | null = null;
    if (predictions !== undefined) {
      await checkPredictionFolder(path.resolve(predictions));
      source = predictionFolderSource(path.resolve(predictions));
    } else {
      const dir = path.resolve(
        modelDir ?? bundledModelDir(io.engine().context.options.resourcesDir),
      );
      const backendFlag = stringOption(args, 'backend');
      const backend = backendFlag === undefined ? null : parseBackendName(backendFlag);
      // The model runs in the compute process, as the studio's predictions do.
      model = await openModelSource(io.engine().context.compute(), dir, {
        root: data,
        ...views,
        scale,
        ...(backend ? { backend } : {}),
        signal: io.signal,
      });
      io.log(`eval: backend ${model.backend ?? 'none'}; ${model.description}`);
      source = model;
    }

    // One bar per stage, started on its first report and ended on its last.
    const bars: Partial<Record<'test' | 'training', ReturnType<typeof io.progress>>> = {};
    const report = await evaluateDatasetSplit({
      root: data,
      ...(split !== undefined ? { split } : {}),
      reference: labels,
      source,
      tuneOnTraining: args.values['fixed-only'] !== true,
      skipBad: skipBadOption(args),
      onProgress: (stage, done, total) => {
        const bar = (bars[stage] ??= io.progress(
          stage === 'test'
            ? `${split ?? 'evaluated'} images`
            : 'training images (for the threshold)',
        ));
        bar.update(done, total, model ? 'predicting' : 'reading maps');
        if (done === total) bar.finish();
      },
    });
    const seconds = model && model.seconds.length > 0 ? model.seconds : null;
    const inference = seconds
      ? {
          backend: model!.backend,
          flips: model!.flips,
          views: model!.views,
          images: seconds.length,
          secondsPerImageMedian: [...seconds].sort((a, b) => a - b)[seconds.length >> 1],
          width: report.images[0]?.width ?? 0,
          height: report.images[0]?.height ?? 0,
        }
      : null;

    const primary = findRow<PooledRow>(report.rows, PRIMARY_ROW);
    const observer = findRow<PooledRow>(report.rows, OBSERVER_ROW);
    const json = {
      dataset: {
        root: report.root,
        layout: report.layout,
        name: LAYOUT_NAMES[report.layout],
        split: report.split,
        fov: { ...report.fov, text: fovText(report) },
        images: report.imageCount,
        /** Images found in the split: more than `images` when --skip-bad left some out. */
        imagesFound: report.imagesFound,
        /** Every image left out (--skip-bad), of the evaluated split and the threshold's. */
        leftOut: leftOutImages(report.badFiles),
        /** Every unusable file in the splits read: file, code and what is wrong. */
        problems: report.badFiles.problems,
        leftOutBySplit: report.badFiles.images,
        fovPixels: report.fovPixelCount,
        reference: report.reference,
      },
      source: report.source,
      primary: primary ? headline(primary, true) : null,
      secondObserver: observer
        ? {
            observer: report.otherObserver,
            reference: report.reference,
            ...headline(observer, false),
          }
        : null,
      thresholds: report.thresholds,
      trainingThresholdNote: report.trainingThresholdNote,
      curves: {
        roc: summariseCurve(report.model.fov.pooled.roc),
        pr: summariseCurve(report.model.fov.pooled.pr),
      },
      /** Per-image entries of the model's rows carry `scale`: the factor it was predicted at. */
      protocols: withScales(report.rows, model ? model.scales : null),
      published: publishedFor(report),
      publishedNote: noPublishedReason(report),
      unetPaper: { source: UNET_PAPER_SOURCE, claims: UNET_PAPER_CLAIMS },
      inference,
      export: null as null | { dir: string; files: number },
    };
    if (exportDir !== undefined) {
      const dir = path.resolve(exportDir);
      const files = await exportAll(dir, report, json);
      json.export = { dir, files: files.length };
      io.log(`exported ${files.length} files to ${dir}`);
    }
    return { json, text: describe(report, inference, model ? model.scales : null) };
  },
};

function summariseCurve(curve: DatasetEvaluation['model']['fov']['pooled']['roc']) {
  if (curve === null) return null;
  return {
    fullPoints: curve.fullPointCount,
    storedPoints: curve.x.length,
    exactArea: curve.exactArea,
    storedArea: curve.area,
    areaError: curve.areaError,
  };
}
