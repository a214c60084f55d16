/**
 * The model that ships with the app (resources/models/default, see its README.md). A project
 * with no model version gets it as its first version, stored like a trained one, so the
 * studio shows predictions, evaluates and fine-tunes before anyone has trained anything.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError, toErrorInfo } from '../../../shared/result';
import { MODEL_FILES, readModelFolder, readModelMeta } from '../model/files';
import type { ModelVersion, Project } from '../project';
import { BUNDLED_MODEL_ERROR_CODES } from '../../../shared/api/errors';

/** The name the bundled model gets in a project (people may rename it). */
export const BUNDLED_MODEL_NAME = 'Bundled default (LadderNet, DRIVE)';

export { BUNDLED_MODEL_ERROR_CODES } from '../../../shared/api/errors';

/** The bundled model folder inside the app's resources folder. */
export function bundledModelDir(resourcesDir: string): string {
  return path.join(resourcesDir, 'models', 'default');
}

const ACTION = 'reinstall the app, or train a model with Retrain to see predictions';

/** The three files of a model folder, read and checked; throws MODEL_BUNDLED_* naming the folder. */
async function readBundledFiles(dir: string): Promise<Record<string, Uint8Array>> {
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) {
    throw new AppError(
      BUNDLED_MODEL_ERROR_CODES.MISSING,
      `The bundled model in ${dir} is missing: ${ACTION}.`,
    );
  }
  const files: Record<string, Uint8Array> = {};
  for (const name of Object.values(MODEL_FILES)) {
    const bytes = await fs.readFile(path.join(dir, name)).catch(() => null);
    if (!bytes) {
      throw new AppError(
        BUNDLED_MODEL_ERROR_CODES.MISSING,
        `The bundled model in ${dir} is incomplete (${name} is missing): ${ACTION}.`,
      );
    }
    files[name] = new Uint8Array(bytes);
  }
  return files;
}

/**
 * Stores the bundled model as a new version of the project: its config and training log from
 * vessel.json, its files as they ship. Throws MODEL_BUNDLED_MISSING or MODEL_BUNDLED_BROKEN with
 * a message naming the folder and what to do; the project is unchanged then.
 */
export async function registerBundledModel(project: Project, dir: string): Promise<ModelVersion> {
  const files = await readBundledFiles(dir);
  try {
    const meta = await readModelMeta(dir);
    // Reads the weights as loading would, checking their size against the manifest.
    await readModelFolder(dir);
    const training = meta.training as { backend?: unknown } | undefined;
    return await project.addModelVersion({
      name: BUNDLED_MODEL_NAME,
      config: meta.config,
      files,
      backend: typeof training?.backend === 'string' ? training.backend : 'unknown',
      epochLog: meta.trainingLog.map((entry, i) => ({
        ...(entry as Record<string, number | string | null>),
        epoch: typeof entry.epoch === 'number' ? entry.epoch : i + 1,
      })),
    });
  } catch (error) {
    const info = toErrorInfo(error);
    throw new AppError(
      BUNDLED_MODEL_ERROR_CODES.BROKEN,
      `The bundled model in ${dir} cannot be used (${info.message}): ${ACTION}.`,
    );
  }
}
