/**
 * Opening the studio: finding the dataset and its project (making the project when the dataset
 * has none yet), listing new dataset images in the project, giving a new project the bundled
 * model, and choosing the active model version. StudioSession.open builds its parts from this.
 */
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { exists } from '../files/exists';
import { allEntries, openDataset, type DatasetIndex } from '../dataset';
import {
  createProject,
  openProject,
  type ImageInput,
  type ModelVersion,
  type Project,
} from '../project';
import { recordProjectSplit } from '../training/split';
import { registerBundledModel } from './bundled-model';
import { STUDIO_ERROR_CODES } from './errors';
import { defaultProjectFile } from './project-location';

/** What the studio opens: a dataset folder, a project file or both. */
export interface OpenStudioOptions {
  datasetPath?: string;
  projectPath?: string;
  appVersion: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The model folder that ships with the app (bundledModelDir(resourcesDir)): a project with no
   * model version gets it as its first one. Without it a new project starts with no model.
   */
  bundledModelDir?: string;
}

/** An open dataset and project, with what opening them found out. */
export interface OpenedStudio {
  dataset: DatasetIndex;
  project: Project;
  /** True when this open made the project file. */
  created: boolean;
  /** The active model version: the one the view settings name, else the newest, else null. */
  active: ModelVersion | null;
  /** Why the bundled model could not be added (missing or broken folder), else null. */
  bundledProblem: string | null;
}

/**
 * Opens a dataset and/or a project. A dataset alone gets its automatic project (see
 * project-location.ts); a project alone opens the dataset folder it records. On any failure
 * the project is closed again, so its lock is not left held.
 */
export async function openStudio(options: OpenStudioOptions): Promise<OpenedStudio> {
  const { datasetPath, projectPath, appVersion } = options;
  let project: Project | null = null;
  let created = false;
  try {
    let datasetRoot: string;
    if (datasetPath === undefined) {
      if (projectPath === undefined) {
        throw new AppError('BAD_INPUT', 'Give a dataset folder, a project file or both.');
      }
      project = await openProject(projectPath, { appVersion });
      datasetRoot = await project.datasetRoot();
    } else {
      datasetRoot = path.resolve(datasetPath);
    }
    const dataset = await openDataset(datasetRoot);
    if (!project) {
      const file = path.resolve(projectPath ?? defaultProjectFile(dataset.root, options.env));
      if (await exists(file)) {
        project = await openProject(file, { appVersion });
        const recorded = path.resolve(await project.datasetRoot());
        if (recorded !== dataset.root) {
          throw new AppError(
            STUDIO_ERROR_CODES.DATASET_MISMATCH,
            `The project ${file} belongs to the dataset ${recorded}, not ${dataset.root}: open the project alone, or choose another project file.`,
          );
        }
      } else {
        project = await createProject(file, { datasetRoot: dataset.root, appVersion });
        created = true;
      }
    }
    await addMissingImages(project, dataset);
    // The split the project trains and evaluates on, with why, kept in the file (project info).
    if (!project.readOnly) await recordProjectSplit(project, dataset);
    const bundledProblem = await addBundledModel(project, options.bundledModelDir);
    const active = await activeVersion(project);
    return { dataset, project, created, active, bundledProblem };
  } catch (error) {
    await project?.close().catch(() => undefined);
    throw error;
  }
}

/** Lists in the project every dataset image it does not know yet (new files, new project). */
async function addMissingImages(project: Project, dataset: DatasetIndex): Promise<void> {
  const known = new Set((await project.listImages()).map((i) => i.key));
  const inputs: ImageInput[] = [];
  for (const e of allEntries(dataset)) {
    if (known.has(e.id)) continue;
    inputs.push({
      key: e.id,
      split: e.split,
      name: e.name,
      width: e.width,
      height: e.height,
      files: {
        image: e.imagePath,
        'label-1st': e.labelPaths['1st'],
        'label-2nd': e.labelPaths['2nd'],
        ...(e.fovPath ? { fov: e.fovPath } : {}),
      },
    });
  }
  if (inputs.length > 0) await project.addImages(inputs);
}

/**
 * Gives a project that never had a model version the bundled model as its first one. Returns
 * why that failed (the folder is missing or broken), or null; the project opens either way.
 */
async function addBundledModel(project: Project, dir: string | undefined): Promise<string | null> {
  if (dir === undefined) return null;
  if ((await project.listModelVersions({ includeDeleted: true })).length > 0) return null;
  try {
    await registerBundledModel(project, dir);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
}

/** The version the view settings name, else the newest, else null. */
async function activeVersion(project: Project): Promise<ModelVersion | null> {
  const models = await project.listModelVersions();
  const { selectedModelVersion } = await project.getViewSettings();
  return models.find((m) => m.id === selectedModelVersion) ?? models.at(-1) ?? null;
}
