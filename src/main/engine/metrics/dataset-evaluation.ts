/**
 * Evaluation of probability maps over a dataset split, under every protocol we report: inside
 * the FOV and on the whole image (labelled), pooled and per image, at threshold 0.5 and at the
 * threshold with the best F1 on the training images (never the test images), with the other
 * human observer scored the same way. The probabilities come from a ProbabilitySource: a
 * folder of PNG maps, or a model.
 */
import { AppError } from '../../../shared/result';
import type { ScoredImage } from './confusion';
import type { Evaluation, Observer, ThresholdChoice } from './evaluate';
import { badFilesIn, refuseBadFiles, type BadFiles } from './bad-files';
import type { ExportImage } from './export';
import {
  loadFov,
  loadLabel,
  openDataset,
  type DatasetIndex,
  type ImageEntry,
  type LayoutName,
  type SplitName,
} from '../dataset';
import { describeFovDerivation } from '../dataset/fov';
import type { ProbabilitySource } from './probability-sources';
import { protocolRows, type ProtocolRow } from './report';
import { evaluateSplit } from './split-evaluation';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** A file of the splits read is unusable and --skip-bad was not given. */
export const METRICS_BAD_FILES = METRICS_ERROR_CODES.BAD_FILES;

export interface DatasetEvaluationOptions {
  root: string;
  /** Default: `test` where the set has one, else `all` (a set that ships no split). */
  split?: SplitName;
  reference: Observer;
  source: ProbabilitySource;
  /** Choose a second threshold by best F1 on the training split (needs its probabilities). */
  tuneOnTraining: boolean;
  /**
   * Go on without the files openDataset could not use (they are named in `badFiles`); without
   * it a problem in the splits read is refused with METRICS_BAD_FILES.
   */
  skipBad?: boolean;
  onProgress?: (stage: 'test' | 'training', done: number, total: number) => void;
}

export interface DatasetEvaluation {
  root: string;
  /** The layout openDataset found (drive, stare, chase, hrf, generic). */
  layout: LayoutName;
  split: SplitName;
  /** How the FOV of the scored images was had: the set's masks, derived, or both. */
  fov: { shipped: number; derived: number; method: string | null };
  reference: Observer;
  /** The other observer, scored like a model against the reference; null when absent. */
  otherObserver: Observer | null;
  source: string;
  imageCount: number;
  /** Images found in the evaluated split, the left-out ones (--skip-bad) included. */
  imagesFound: number;
  /** The problems in the splits read (the training split too when it chose a threshold). */
  badFiles: BadFiles;
  fovPixelCount: number;
  thresholds: ThresholdChoice[];
  /** Why there is no training threshold, when there is none. */
  trainingThresholdNote: string | null;
  model: { fov: Evaluation; wholeImage: Evaluation };
  secondObserver: { fov: Evaluation; wholeImage: Evaluation } | null;
  rows: ProtocolRow[];
  /** The maps of every evaluated image, for export. */
  images: ExportImage[];
}

async function loadScoredImage(
  entry: ImageEntry,
  source: ProbabilitySource,
  reference: Observer,
): Promise<{ image: ExportImage; other: Uint8Array | null } | null> {
  if (entry.labelPaths[reference] === undefined) {
    throw new AppError(
      METRICS_ERROR_CODES.NO_LABELS,
      `${entry.id} has no ${reference} manual; choose --labels 1st, or a split that has it.`,
    );
  }
  const other: Observer = reference === '1st' ? '2nd' : '1st';
  const [label, fov, otherLabel] = await Promise.all([
    loadLabel(entry, reference),
    loadFov(entry),
    entry.labelPaths[other] === undefined ? Promise.resolve(null) : loadLabel(entry, other),
  ]);
  const scores = await source.probabilities(entry, entry.width, entry.height);
  if (scores === null) return null;
  if (scores.length !== label.length) {
    throw new AppError(
      METRICS_ERROR_CODES.SIZE_MISMATCH,
      `${entry.id}: the prediction has ${scores.length} pixels, the image ${entry.width}x${entry.height}; predict at the image's own size.`,
    );
  }
  const image: ExportImage = {
    id: entry.id,
    stem: entry.name,
    width: entry.width,
    height: entry.height,
    scores,
    label,
    fov,
  };
  return { image, other: otherLabel };
}

/** The splits a dataset holds, with their image counts, e.g. "all (20 images)". */
function present(index: DatasetIndex): string {
  const found = Object.entries(index.splits)
    .filter(([, entries]) => (entries ?? []).length > 0)
    .map(([name, entries]) => `${name} (${entries!.length} images)`);
  return found.length > 0 ? found.join(', ') : 'no usable split';
}

/** The entries of a split, or a clear error naming the folder. */
function splitEntries(index: DatasetIndex, split: SplitName): ImageEntry[] {
  const entries = index.splits[split] ?? [];
  if (entries.length === 0) {
    const problems = index.problems.slice(0, 3).map((p) => p.message);
    throw new AppError(
      METRICS_ERROR_CODES.SPLIT_MISSING,
      `${index.root} (${index.layout} layout) has no usable ${split} images${problems.length > 0 ? ` (${problems.join('; ')})` : ''}; it has ${present(index)}: choose one of those with --split.`,
    );
  }
  return entries;
}

/** The FOV-scored training images the second threshold is chosen on, or why there are none. */
async function trainingImages(
  options: DatasetEvaluationOptions,
  index: DatasetIndex,
): Promise<{ images: ScoredImage[] | null; note: string | null }> {
  if (!options.tuneOnTraining) return { images: null, note: 'not asked for (--fixed-only)' };
  if (options.split === 'training') {
    return { images: null, note: 'the evaluated split is the training split itself' };
  }
  if (options.split === 'all') {
    return {
      images: null,
      note: 'the set ships no training split apart from the images scored, and a threshold chosen on the scored images would be tuned on the test; only 0.5 is reported',
    };
  }
  if ((index.splits.training ?? []).length === 0) {
    return { images: null, note: `${index.root} has no training images` };
  }
  const entries = splitEntries(index, 'training');
  await options.source.prepare?.(entries);
  const images: ScoredImage[] = [];
  const missing: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const loaded = await loadScoredImage(entry, options.source, '1st');
    if (loaded === null) missing.push(entry.name);
    else {
      const { id, scores, label, fov } = loaded.image;
      images.push({ id, scores, label, region: fov });
    }
    options.onProgress?.('training', i + 1, entries.length);
  }
  if (missing.length > 0) {
    return {
      images: null,
      note: `${options.source.description} has no map for ${missing.length} training image(s) (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}); the threshold is chosen on all of them or not at all`,
    };
  }
  return { images, note: null };
}

/** Evaluates a split under every protocol (see the file comment). */
export async function evaluateDatasetSplit(
  options: DatasetEvaluationOptions,
): Promise<DatasetEvaluation> {
  const index = await openDataset(options.root);
  const split: SplitName =
    options.split ?? ((index.splits.test ?? []).length === 0 && index.splits.all ? 'all' : 'test');
  const tunes = options.tuneOnTraining && split === 'test';
  const badFiles = await badFilesIn(index, tunes ? [split, 'training'] : [split]);
  if (options.skipBad !== true) refuseBadFiles(index.root, badFiles, METRICS_BAD_FILES, 'evaluate');
  const entries = splitEntries(index, split);
  await options.source.prepare?.(entries);
  const images: ExportImage[] = [];
  const others: (Uint8Array | null)[] = [];
  const missing: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const loaded = await loadScoredImage(entry, options.source, options.reference);
    if (loaded === null) missing.push(entry.name);
    else {
      images.push(loaded.image);
      others.push(loaded.other);
    }
    options.onProgress?.('test', i + 1, entries.length);
  }
  if (missing.length > 0) {
    throw new AppError(
      METRICS_ERROR_CODES.PREDICTIONS_MISSING,
      `${options.source.description} has no probability map for ${missing.length} of the ${entries.length} ${split} images (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}); add <stem>.png for each, or score with --model.`,
    );
  }

  const tuned = await trainingImages({ ...options, split }, index);
  const evaluation = evaluateSplit({
    images,
    training: tuned.images,
    others,
    regions: 'fov-and-whole-image',
  });
  const { thresholds } = evaluation;
  // Both regions were asked for, so neither whole-image evaluation is null.
  const model = { fov: evaluation.model.fov, wholeImage: evaluation.model.wholeImage! };
  const rows = [
    ...protocolRows(model.fov, 'model', options.reference),
    ...protocolRows(model.wholeImage, 'model', options.reference),
  ];

  const otherObserver: Observer = options.reference === '1st' ? '2nd' : '1st';
  const secondObserver: DatasetEvaluation['secondObserver'] = evaluation.secondObserver
    ? { fov: evaluation.secondObserver.fov, wholeImage: evaluation.secondObserver.wholeImage! }
    : null;
  if (secondObserver) {
    rows.push(
      ...protocolRows(secondObserver.fov, 'second-observer', options.reference),
      ...protocolRows(secondObserver.wholeImage, 'second-observer', options.reference),
    );
  }

  const derived = entries.filter((e) => e.fovDerived).length;
  return {
    root: options.root,
    layout: index.layout,
    split: split,
    fov: {
      shipped: entries.length - derived,
      derived,
      method: derived > 0 ? describeFovDerivation() : null,
    },
    reference: options.reference,
    otherObserver: secondObserver ? otherObserver : null,
    source: options.source.description,
    imageCount: images.length,
    imagesFound: badFiles.images[split]?.found ?? images.length,
    badFiles,
    fovPixelCount: model.fov.pixelCount,
    thresholds,
    trainingThresholdNote: tuned.note,
    model,
    secondObserver,
    rows,
    images,
  };
}
