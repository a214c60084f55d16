/**
 * Scratch folders and projects for the project area's tests: a DRIVE-like dataset and a
 * project over it in a temporary folder, closed and removed after each test. Imports vitest,
 * so tests only (test-fixtures.ts holds what child processes and benchmarks use too).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createProject } from '../../../src/main/engine/project/open';
import type { Project } from '../../../src/main/engine/project/project';
import { addTinyModel, temporaryFolder, writeDriveLikeDataset } from './test-fixtures';
import type { ModelVersion } from '../../../src/main/engine/project/types';

// addTinyModel lives beside addBaselineModel, which it builds; re-exported for the tests that
// take it from here with useScratchProjects.
export { addTinyModel } from './test-fixtures';

/** A project made for one test, with where it lives. */
export interface ScratchProject {
  dir: string;
  file: string;
  root: string;
  project: Project;
}

/** A scratch project with a model version stored in it. */
export interface ScratchProjectWithModel extends ScratchProject {
  model: ModelVersion;
}

/** What useScratchProjects gives a test file. */
export interface ScratchProjects {
  /** A new project over `count` DRIVE-like images that backs up on every close after a write. */
  newProject(count?: number): Promise<ScratchProject>;
  /** A new project over one image holding a tiny model version (see addTinyModel). */
  newProjectWithModel(): Promise<ScratchProjectWithModel>;
  /**
   * A scratch folder `dir` with an empty dataset folder `root` (dir/data) in it, for a test that
   * lays out its own image files and creates the project itself.
   */
  newDatasetFolder(): Promise<{ dir: string; root: string }>;
  /** The file of a new project over one image, closed again (its rolling backup written). */
  newProjectFile(): Promise<string>;
  /** A temporary folder removed after the test. */
  scratchFolder(): string;
  /** Projects to close after the test: push the ones a test opens itself. */
  open: Project[];
}

/** Registers removing the folders a test made; returns the maker. Call once per test file. */
export function useScratchFolders(): () => string {
  const folders: string[] = [];
  afterEach(async () => {
    for (const dir of folders.splice(0)) await fs.rm(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = temporaryFolder();
    folders.push(dir);
    return dir;
  };
}

/** Registers closing the projects and removing the folders a test made. Call once per file. */
export function useScratchProjects(): ScratchProjects {
  const open: Project[] = [];
  // Registered first, so it runs after the close below (after-hooks run last-in, first-out).
  const scratchFolder = useScratchFolders();
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close().catch(() => undefined);
  });
  const newProject = async (count = 3): Promise<ScratchProject> => {
    const dir = scratchFolder();
    const root = path.join(dir, 'DRIVE');
    const images = await writeDriveLikeDataset(root, count);
    const file = path.join(dir, 'study.vessel');
    const project = await createProject(file, { datasetRoot: root, images, backupIntervalMs: 0 });
    open.push(project);
    return { dir, file, root, project };
  };
  const newProjectWithModel = async (): Promise<ScratchProjectWithModel> => {
    const scratch = await newProject(1);
    return { ...scratch, model: await addTinyModel(scratch.project) };
  };
  const newDatasetFolder = async (): Promise<{ dir: string; root: string }> => {
    const dir = scratchFolder();
    const root = path.join(dir, 'data');
    await fs.mkdir(root);
    return { dir, root };
  };
  const newProjectFile = async (): Promise<string> => {
    const { file, project } = await newProject(1);
    await project.close();
    return file;
  };
  return { newProject, newProjectWithModel, newDatasetFolder, newProjectFile, scratchFolder, open };
}

/** SHA-256 (hex), computed apart from the code under test. */
export function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
