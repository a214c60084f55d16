/**
 * Exports what a project holds in forms other tools read: the current corrected masks as PNG
 * in the dataset's own layout, metrics as CSV, and every model version as a tfjs model folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { writePlot } from '../metrics/export';
import { curvePlotSvg, OKABE_ITO } from '../metrics/plot-svg';
import type { Project } from './project';
import { PROJECT_ERROR_CODES, type Evaluation } from './types';

export interface ExportReport {
  dir: string;
  masks: string[];
  metrics: string[];
  models: string[];
  /** Corrected masks that could not be read back (damaged); every other mask was exported. */
  damagedMasks: { imageKey: string; revisionId: number; message: string }[];
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
function csvField(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text with a header row. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** A name safe as one path segment on every platform. */
function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
}

function curveRows(a: Float32Array, b: Float32Array, t: Float32Array | null): unknown[][] {
  return Array.from(a, (x, i) => [x, b[i], t ? t[i] : '']);
}

async function writeEvaluationCsvs(
  dir: string,
  evaluations: Evaluation[],
  modelNames: Map<number, string>,
): Promise<string[]> {
  const written: string[] = [];
  const metricKeys = [...new Set(evaluations.flatMap((e) => Object.keys(e.pooled)))].sort();
  const summary = toCsv(
    ['evaluation', 'name', 'model_version', 'model_name', 'created_at', 'protocol', ...metricKeys],
    evaluations.map((e) => [
      e.id,
      e.name,
      e.modelVersionId ?? '',
      e.modelVersionId === null ? '' : (modelNames.get(e.modelVersionId) ?? ''),
      e.createdAt,
      e.protocol,
      ...metricKeys.map((k) => e.pooled[k]),
    ]),
  );
  const put = async (name: string, text: string): Promise<void> => {
    await fs.writeFile(path.join(dir, name), text);
    written.push(`metrics/${name}`);
  };
  await put('evaluations.csv', summary);
  for (const e of evaluations) {
    if (e.perImage.length > 0) {
      const keys = [...new Set(e.perImage.flatMap((p) => Object.keys(p.metrics)))].sort();
      await put(
        `evaluation-${e.id}-per-image.csv`,
        toCsv(
          ['image', ...keys],
          e.perImage.map((p) => [p.imageKey, ...keys.map((k) => p.metrics[k])]),
        ),
      );
    }
    if (e.roc)
      await put(
        `evaluation-${e.id}-roc.csv`,
        toCsv(['fpr', 'tpr', 'threshold'], curveRows(e.roc.fpr, e.roc.tpr, e.roc.thresholds)),
      );
    if (e.pr) {
      await put(
        `evaluation-${e.id}-pr.csv`,
        toCsv(
          ['recall', 'precision', 'threshold'],
          curveRows(e.pr.recall, e.pr.precision, e.pr.thresholds),
        ),
      );
    }
  }
  return written;
}

/**
 * Writes the export into `dir` (created; refused when it exists and is not empty, so nothing a
 * person keeps there is overwritten). Layout: masks/<label path>.png, metrics/*.csv,
 * models/<id>-<name>/ and export.json listing it all. A damaged mask is left out and listed in
 * `damagedMasks` (the caller decides whether that fails the export; the CLI exits 2).
 */
export async function exportProject(project: Project, dir: string): Promise<ExportReport> {
  const out = await newExportFolder(dir);
  const report: ExportReport = { dir: out, masks: [], metrics: [], models: [], damagedMasks: [] };

  const masks = await writeCorrectedMasks(project, path.join(out, 'masks'));
  report.masks.push(...masks.files.map((rel) => `masks/${rel}`));
  report.damagedMasks.push(...masks.damagedMasks);

  const models = await project.listModelVersions();
  const evaluations = await project.listEvaluations();
  if (evaluations.length > 0) {
    await fs.mkdir(path.join(out, 'metrics'), { recursive: true });
    report.metrics = await writeEvaluationCsvs(
      path.join(out, 'metrics'),
      evaluations,
      new Map(models.map((m) => [m.id, m.name])),
    );
  }

  for (const model of models) {
    const folder = `models/${model.id}-${safeSegment(model.name)}`;
    await project.writeModelDir(model.id, path.join(out, ...folder.split('/')));
    report.models.push(folder);
  }

  await fs.writeFile(
    path.join(out, 'export.json'),
    JSON.stringify(
      { project: project.file, exportedAt: new Date().toISOString(), ...report },
      null,
      2,
    ) + '\n',
  );
  return report;
}

/** What one part of an export wrote (the studio's Export menu: masks, metrics or one model). */
export interface PartExportReport {
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
  damagedMasks: ExportReport['damagedMasks'];
}

/** Makes `dir` for an export; refuses one that exists and is not empty (nothing is overwritten). */
async function newExportFolder(dir: string): Promise<string> {
  const out = path.resolve(dir);
  const existing = await fs.readdir(out).catch(() => null);
  if (existing && existing.length > 0) {
    throw new AppError(
      PROJECT_ERROR_CODES.BAD_INPUT,
      `The export folder ${out} is not empty; pick a new or empty folder.`,
    );
  }
  await fs.mkdir(out, { recursive: true });
  return out;
}

/**
 * Writes the current corrected mask of every corrected image as a 0/255 PNG where its 1st
 * manual label sits in the dataset (`<label path>.png`), so the folder can stand in for the
 * dataset's labels. A damaged revision is left out and listed.
 */
export async function exportCorrectedMasks(
  project: Project,
  dir: string,
): Promise<PartExportReport> {
  const out = await newExportFolder(dir);
  return { dir: out, ...(await writeCorrectedMasks(project, out)) };
}

/**
 * Writes each corrected image's latest mask as a PNG under `out`, where its 1st manual label
 * sits in the dataset (the corrected mask replaces that label), else under
 * `<split>/corrected/<name>.png`. Returns the relative paths written; a damaged revision is
 * left out and listed, so one damaged mask does not cost the others.
 */
async function writeCorrectedMasks(
  project: Project,
  out: string,
): Promise<Pick<PartExportReport, 'files' | 'damagedMasks'>> {
  const written: Pick<PartExportReport, 'files' | 'damagedMasks'> = {
    files: [],
    damagedMasks: [],
  };
  const images = new Map((await project.listImages()).map((i) => [i.key, i]));
  for (const revision of await project.latestMaskRevisions()) {
    const image = images.get(revision.imageKey);
    const label = image?.files.find((f) => f.role === 'label-1st');
    const rel = label
      ? label.relPath.replace(/\.[^./]+$/, '') + '.png'
      : `${image?.split ? `${image.split}/` : ''}corrected/${image?.name ?? revision.imageKey}.png`;
    let png: Uint8Array;
    try {
      png = await project.maskRevisionPng(revision.id);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== PROJECT_ERROR_CODES.REVISION_DAMAGED)
        throw error;
      written.damagedMasks.push({
        imageKey: revision.imageKey,
        revisionId: revision.id,
        message: error.message,
      });
      continue;
    }
    const target = path.join(out, ...rel.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, png);
    written.files.push(rel);
  }
  return written;
}

/** A plot's series from stored curve points (plain arrays, as the SVG writer takes them). */
function plotSeries(label: string, x: Float32Array, y: Float32Array, color: string) {
  return { label, x: Array.from(x), y: Array.from(y), color };
}

/**
 * Writes every stored evaluation: evaluations.csv (pooled figures), per-image and curve CSVs,
 * evaluations.json (everything but the curve points) and, for each evaluation with curves,
 * its ROC and precision-recall plots as SVG and PNG.
 */
export async function exportEvaluations(project: Project, dir: string): Promise<PartExportReport> {
  const evaluations = await project.listEvaluations();
  const out = await newExportFolder(dir);
  const models = new Map((await project.listModelVersions()).map((m) => [m.id, m.name]));
  const files = (await writeEvaluationCsvs(out, evaluations, models)).map((f) =>
    f.replace(/^metrics\//, ''),
  );
  const summary = evaluations.map((e) => ({
    id: e.id,
    name: e.name,
    modelVersionId: e.modelVersionId,
    modelName: e.modelVersionId === null ? null : (models.get(e.modelVersionId) ?? null),
    createdAt: e.createdAt,
    protocol: e.protocol,
    pooled: e.pooled,
    perImage: e.perImage,
  }));
  await fs.writeFile(
    path.join(out, 'evaluations.json'),
    `${JSON.stringify({ project: project.file, evaluations: summary }, null, 2)}\n`,
  );
  files.push('evaluations.json');
  for (const e of evaluations) {
    const model = e.modelVersionId === null ? e.name : (models.get(e.modelVersionId) ?? e.name);
    const subtitle = typeof e.protocol === 'string' ? e.protocol : JSON.stringify(e.protocol);
    const plots: [string, string][] = [];
    if (e.roc) {
      plots.push([
        `evaluation-${e.id}-roc`,
        curvePlotSvg({
          title: `ROC: ${model}`,
          subtitle,
          xLabel: 'False positive rate',
          yLabel: 'True positive rate',
          series: [plotSeries(model, e.roc.fpr, e.roc.tpr, OKABE_ITO.blue)],
          points: [],
          diagonal: true,
          legendCorner: 'bottom-right',
        }),
      ]);
    }
    if (e.pr) {
      plots.push([
        `evaluation-${e.id}-pr`,
        curvePlotSvg({
          title: `Precision-recall: ${model}`,
          subtitle,
          xLabel: 'Recall',
          yLabel: 'Precision',
          series: [plotSeries(model, e.pr.recall, e.pr.precision, OKABE_ITO.vermillion)],
          points: [],
          legendCorner: 'bottom-left',
        }),
      ]);
    }
    for (const [name, svg] of plots) {
      for (const file of await writePlot(out, name, svg)) files.push(path.basename(file));
    }
  }
  return { dir: out, files, damagedMasks: [] };
}

/** Writes one model version as a tfjs model folder (model.json, weights, vessel.json). */
export async function exportModelVersion(
  project: Project,
  modelId: number,
  dir: string,
): Promise<PartExportReport> {
  const out = await newExportFolder(dir);
  return { dir: out, files: await project.writeModelDir(modelId, out), damagedMasks: [] };
}
