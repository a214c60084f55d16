/**
 * The project file area: one SQLite file (`*.vessel`) per project. How `train` and `eval`
 * (and the app) record their work in one:
 *
 * ```ts
 * const project = await openProject(file, { appVersion });   // PROJECT_LOCKED if open elsewhere
 * const run = await project.createRun({ kind: 'train', config });          // status 'queued'
 * await project.startRun(run.id);                                          // 'running'
 * const trainedOn = await project.currentTrainingMasks(imageKeys);  // latest revision or null
 * // ... train; on failure: await project.failRun(run.id, toErrorInfo(error)); on cancel: cancelRun
 * const version = await project.addModelVersionFromDir(modelDir, {  // model.json + weights + vessel.json
 *   name: 'v3', config, backend: report.active, parentId, runId: run.id, epochLog, trainedOn,
 * });
 * await project.addEvaluation({
 *   modelVersionId: version.id, runId: run.id, name: 'DRIVE test',
 *   protocol: { split: 'test', reference: '1st', region: 'fov', threshold: 0.5 },
 *   pooled, perImage: [{ imageKey: 'test/01_test', metrics }], roc: { fpr, tpr, thresholds }, pr,
 * });
 * await project.finishRun(run.id);                                         // 'finished'
 * await project.close();
 * ```
 *
 * A run left `queued`/`running` by a process that died is marked `failed`
 * (PROJECT_RUN_INTERRUPTED) on the next read-write open. `writeModelDir(id, dir)` gives a
 * version back as a tfjs model folder; `readModelFiles(id)` gives its bytes.
 */
export { createProject, openProject } from './open';
export { Project, type CreateProjectOptions, type OpenProjectOptions } from './project';
export { listBackups, restoreBackup, rollingBackupPath, type BackupFile } from './backups';
export { discoverImages, imageInputsOf } from './discover';
export { exportProject, type ExportReport } from './export';
export type { DamagedBlob } from './verify';
export { lockFileFor, type LockOwner } from './lock';
export { decodePngMask, encodePngMask, type BinaryMask, type MaskEncoding } from './mask-codec';
export { LATEST_SCHEMA_VERSION } from './migrations';
export {
  defaultViewSettings,
  viewSettingKeys,
  viewSettingSchemas,
  type ViewSettingKey,
  type ViewSettings,
} from './view-settings';
export * from './types';
