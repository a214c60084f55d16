/**
 * The project file area: one SQLite file per project. See project.ts for the Project class and
 * README-style notes in the issue report for how train/eval record their work here.
 */
export { createProject, openProject } from './open';
export { Project, type CreateProjectOptions, type OpenProjectOptions } from './project';
export { listBackups, restoreBackup, rollingBackupPath, type BackupFile } from './backups';
export { discoverImages, imageInputsOf } from './discover';
export { exportProject, type ExportReport } from './export';
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
