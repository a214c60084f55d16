/**
 * `project`: create a project file for a dataset, describe one, export what it holds, find a
 * moved dataset again, and restore a backup of a damaged file.
 */
import path from 'node:path';
import { AppError } from '../../../shared/result';
import {
  createProject,
  discoverImages,
  exportProject,
  listBackups,
  openProject,
  PROJECT_ERROR_CODES,
  restoreBackup,
  type OpenProjectOptions,
  type Project,
  type ProjectInfo,
} from '../../engine/project';
import { recordProjectSplit, SPLIT_META_KEY } from '../../engine/training/split';
import { appVersion } from '../app-root';
import { stringOption, UsageError, type CliArgs, type CliCommand } from '../command';

const SUBCOMMANDS =
  'create <file> --data <folder> | info <file> | export <file> <dir> | relocate <file> <folder> | restore <file> [--backup <file>]';

/** `use` on the project in `file` opened with `options`; the project is closed afterwards either way. */
async function withProject<T>(
  file: string,
  options: OpenProjectOptions,
  use: (project: Project) => Promise<T>,
): Promise<T> {
  const project = await openProject(file, options);
  try {
    return await use(project);
  } finally {
    await project.close();
  }
}

function positional(args: CliArgs, index: number, what: string): string {
  const value = args.positionals[index];
  if (value === undefined) throw new UsageError(`missing ${what}; usage: project ${SUBCOMMANDS}`);
  return value;
}

/** The split recorded in a project (test ids and why), or null for a file that has none. */
function parseSplit(value: string | null): { test: string[]; rule: string } | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as { test?: unknown; rule?: unknown };
    return Array.isArray(parsed.test)
      ? { test: parsed.test.map(String), rule: String(parsed.rule ?? '') }
      : null;
  } catch {
    return null;
  }
}

function describeInfo(
  info: ProjectInfo & {
    missingFiles: number;
    backups: string[];
    integrity?: string[];
    split: { test: string[]; rule: string } | null;
  },
): string {
  const runs = Object.entries(info.runs)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return [
    `${info.file} (schema ${info.schemaVersion}, ${(info.fileBytes / 2 ** 20).toFixed(1)} MiB${info.readOnly ? '' : ''})`,
    `dataset: ${info.datasetRoot}${info.missingFiles > 0 ? ` (${info.missingFiles} files missing: run \`project relocate\`)` : ''}`,
    `images: ${info.images}, corrected: ${info.correctedImages} (${info.maskRevisions} revisions)`,
    `model versions: ${info.modelVersions}, evaluations: ${info.evaluations}, runs: ${runs || 'none'}`,
    `cached predictions: ${info.cachedPredictions}`,
    info.split
      ? `test images (${info.split.test.length}): ${info.split.test.join(', ') || 'none'} (${info.split.rule})`
      : 'test images: none recorded',
    `backups: ${info.backups.length > 0 ? info.backups.join(', ') : 'none'}`,
    ...(info.integrity ? [`integrity: ${info.integrity.join('; ')}`] : []),
  ].join('\n');
}

export const projectCommand: CliCommand = {
  name: 'project',
  summary: 'Create, describe, export, relocate or restore a project file (*.vessel).',
  usage: SUBCOMMANDS,
  description: [
    'create: lists the dataset images (with size and SHA-256) in a new project file.',
    'info: what the project holds (opens it read-only, so it works while the app has it open).',
    'export: corrected masks as PNG in the dataset layout, metrics as CSV, model versions as tfjs folders; damaged masks are left out, listed, and the command exits 2.',
    'relocate: finds the images again by content under a folder after the dataset moved.',
    'restore: replaces a damaged project by its latest (or the given) backup; the damaged file is kept aside.',
  ].join('\n'),
  options: {
    data: { type: 'string', valueName: '<folder>', description: 'create: the dataset folder.' },
    check: {
      type: 'boolean',
      description:
        'info: also run the full PRAGMA integrity_check and hash every mask and model file against its stored SHA-256; exits 2 listing each damaged one.',
    },
    backup: {
      type: 'string',
      valueName: '<file>',
      description: 'restore: the backup to use (default: the newest).',
    },
  },
  async run(args, io) {
    const sub = positional(args, 0, 'a subcommand');
    const file = path.resolve(positional(args, 1, 'the project file'));
    const version = appVersion();
    switch (sub) {
      case 'create': {
        const data = path.resolve(stringOption(args, 'data', true));
        const { dataset, images } = await discoverImages(data);
        for (const problem of dataset.problems)
          io.log(`skipped ${problem.file}: ${problem.message}`);
        const project = await createProject(file, {
          datasetRoot: data,
          images,
          appVersion: version,
        });
        // The split is chosen once and kept in the file: which images are test, and why.
        const split = await recordProjectSplit(project, dataset);
        const info = await project.info();
        await project.close();
        const result = {
          file,
          datasetRoot: data,
          layout: dataset.layout,
          images: info.images,
          skipped: dataset.problems.length,
          split: {
            test: split.test,
            training: split.training,
            validation: split.validation,
            rule: split.testRule,
          },
        };
        return {
          json: result,
          text: [
            `created ${file}: ${info.images} images from ${data} (${dataset.layout} layout${dataset.problems.length ? `, ${dataset.problems.length} files skipped` : ''})`,
            `test images (${split.test.length}): ${split.test.join(', ') || 'none'}`,
            `  why: ${split.testRule}`,
            `training images: ${split.training.length}, validation: ${split.validation.length} (seed ${split.seed}); test images are never trained on`,
          ].join('\n'),
        };
      }
      case 'info': {
        return withProject(file, { readOnly: true }, async (project) => {
          const info = {
            ...(await project.info()),
            missingFiles: (await project.missingImageFiles()).length,
            backups: (await listBackups(file)).map((b) => b.path),
            split: parseSplit(await project.metaValue(SPLIT_META_KEY)),
            ...(args.values.check === true ? { integrity: await project.integrityCheck() } : {}),
          };
          if (args.values.check === true) {
            // integrity_check reads pages, not the bytes in them: hash every blob too.
            const damaged = await project.verifyBlobs();
            if (damaged.length > 0) {
              const lines = damaged.map((d) =>
                d.kind === 'mask-revision'
                  ? `image ${d.imageKey} revision ${d.revisionId}: ${d.problem}`
                  : `model version ${d.modelVersionId} file ${d.fileName}: ${d.problem}`,
              );
              throw new AppError(
                PROJECT_ERROR_CODES.DAMAGED_REVISIONS,
                `${file} holds ${damaged.length} damaged blob(s):\n${lines.join('\n')}\nRestore an earlier revision of each image, or the project from a backup (\`project restore\`).`,
                { damaged, info },
              );
            }
          }
          return { json: { ...info, damaged: [] }, text: describeInfo(info) };
        });
      }
      case 'export': {
        const dir = path.resolve(positional(args, 2, 'the export folder'));
        return withProject(file, { readOnly: true }, async (project) => {
          const report = await exportProject(project, dir);
          // Every good mask is written; a damaged one fails the command (exit 2) so a script
          // cannot take a partial export for a whole one.
          if (report.damagedMasks.length > 0) {
            throw new AppError(
              PROJECT_ERROR_CODES.DAMAGED_REVISIONS,
              `exported to ${dir}, but ${report.damagedMasks.length} corrected mask(s) are damaged and were left out:\n${report.damagedMasks.map((d) => `image ${d.imageKey} revision ${d.revisionId}`).join('\n')}\nRun \`project info --check\` and restore those images' earlier revisions or a backup.`,
              { report },
            );
          }
          return {
            json: report,
            text: `exported to ${dir}: ${report.masks.length} corrected masks, ${report.metrics.length} metrics files, ${report.models.length} model versions`,
          };
        });
      }
      case 'relocate': {
        const folder = path.resolve(positional(args, 2, 'the folder the dataset moved to'));
        return withProject(file, { appVersion: version }, async (project) => {
          const report = await project.relocate(folder);
          const text = [
            `dataset root is now ${report.root}: ${report.found} files found (${report.moved} at new paths)`,
            ...report.missing.map((m) => `  not found: ${m.relPath} (${m.role} of ${m.imageKey})`),
          ].join('\n');
          return { json: report, text };
        });
      }
      case 'restore': {
        const chosen = stringOption(args, 'backup');
        const backup = chosen ? path.resolve(chosen) : (await listBackups(file))[0]?.path;
        if (!backup)
          throw new UsageError(`no backup of ${file} was found beside it; give one with --backup`);
        const { movedAside } = await restoreBackup(file, backup);
        return {
          json: { file, restoredFrom: backup, movedAside },
          text: `restored ${file} from ${backup}${movedAside ? `; the damaged file is kept as ${movedAside}` : ''}`,
        };
      }
      default:
        throw new UsageError(`unknown subcommand "${sub}"; usage: project ${SUBCOMMANDS}`);
    }
  },
};
