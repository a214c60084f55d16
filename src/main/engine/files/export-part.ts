/**
 * The studio's Export: the open project's corrected masks, its evaluations or one model version,
 * each into a new folder `<project>-<kind>-<time>` made inside the chosen folder (by default
 * the project file's own folder), so an export never overwrites anything.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FILES_ERROR_CODES, type ExportKind, type FilesExport } from '../../../shared/api/files';
import { AppError } from '../../../shared/result';
import type { Project } from '../project';
import { exportCorrectedMasks, exportEvaluations, exportModelVersion } from '../project/export';
import { fileSystemError, resolveFolder } from './paths';

export interface ExportPartOptions {
  kind: ExportKind;
  /** The typed folder to make the export folder in; default: the project file's folder. */
  folder?: string;
  /** The model version (kind `model`); default: `activeModelId`. */
  modelId?: number;
  activeModelId?: number | null;
  home?: string;
  now?: Date;
}

/** `2026-12-05T03-21-13`: a time stamp that is a valid file name everywhere. */
function stamp(time: Date): string {
  return time.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** Refuses an export that would write nothing, saying what to do first. */
async function checkSomethingToExport(
  project: Project,
  kind: ExportKind,
  modelId: number | undefined,
): Promise<void> {
  if (kind === 'masks' && (await project.latestMaskRevisions()).length === 0) {
    throw new AppError(
      FILES_ERROR_CODES.NOTHING_TO_EXPORT,
      'No image has a corrected mask yet: paint a correction on an image (it is saved at once), then export the masks.',
    );
  }
  if (kind === 'metrics' && (await project.listEvaluations()).length === 0) {
    throw new AppError(
      FILES_ERROR_CODES.NOTHING_TO_EXPORT,
      'The project holds no evaluation yet: a model version is evaluated when its predictions are made (open the Evaluation tab, or retrain), then export the metrics.',
    );
  }
  if (kind === 'model' && modelId === undefined) {
    throw new AppError(
      FILES_ERROR_CODES.NOTHING_TO_EXPORT,
      'The project has no model version to export: retrain to make one, or choose a version.',
    );
  }
}

/** Writes one part of the open project into a new folder and says what it wrote. */
export async function exportPart(
  project: Project,
  options: ExportPartOptions,
): Promise<FilesExport> {
  const { kind } = options;
  const modelId = options.modelId ?? options.activeModelId ?? undefined;
  await checkSomethingToExport(project, kind, modelId);
  const parent =
    options.folder === undefined
      ? path.dirname(project.file)
      : await resolveFolder(options.folder, options.home ?? os.homedir());
  const base = path.basename(project.file).replace(/\.vessel$/i, '');
  const name = `${base}-${kind === 'model' ? `model-${modelId}` : kind}-${stamp(options.now ?? new Date())}`;
  // A second export within the same second gets its own folder, never the first one's.
  let dir = path.join(parent, name);
  for (let n = 2; existsSync(dir); n++) dir = path.join(parent, `${name}-${n}`);
  try {
    const report =
      kind === 'masks'
        ? await exportCorrectedMasks(project, dir)
        : kind === 'metrics'
          ? await exportEvaluations(project, dir)
          : await exportModelVersion(project, modelId!, dir);
    return { kind, dir: report.dir, files: report.files, damaged: report.damagedMasks };
  } catch (error) {
    // The project's own errors keep their codes; the file system's name the folder.
    if (error instanceof AppError || !(error as NodeJS.ErrnoException).code) throw error;
    throw fileSystemError(dir, error, 'write');
  }
}
