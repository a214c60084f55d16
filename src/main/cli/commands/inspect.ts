import { openDataset, summariseDataset, type DatasetSummary } from '../../engine/dataset';
import { UsageError, type CliCommand } from '../command';

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}

/** The human-readable report of `inspect`. */
export function describeSummary(summary: DatasetSummary): string {
  const lines = [`${summary.root}`, `layout: ${summary.layout}`];
  for (const s of summary.splits) {
    lines.push(
      '',
      `${s.split}: ${s.images} image${s.images === 1 ? '' : 's'}, size ${s.sizes.join(', ') || '-'}`,
      `  labels: ${s.labelSets.map((l) => `${l.observer} observer (${l.images})`).join(', ') || 'none'}`,
      `  FOV: ${s.fovPixels.toLocaleString('en-US')} pixels; ${s.fovSource}`,
    );
    for (const observer of ['1st', '2nd'] as const) {
      const count = s.vesselPixelsInFov[observer];
      if (count === undefined) continue;
      // The share is over the FOV of the images that have this observer's label.
      const base = s.fovPixelsLabelled[observer] ?? 0;
      const some = base !== s.fovPixels ? ' of the images with this label' : '';
      lines.push(
        `  vessel pixels in FOV (${observer} observer): ${count.toLocaleString('en-US')} (${percent(count, base)}${some})`,
      );
    }
  }
  lines.push(
    '',
    summary.problems.length === 0 ? 'problems: none' : `problems: ${summary.problems.length}`,
  );
  for (const p of summary.problems) lines.push(`  ${p.code}: ${p.message}`);
  return lines.join('\n');
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Open a retinal dataset folder and report its layout, splits, labels, FOV and problems.',
  usage: '<folder> [--json]',
  description:
    'Recognises DRIVE (root, training/ or test/), STARE, CHASE_DB1, HRF and a generic images/ + labels/ (+ masks/) layout. ' +
    'Every file is decoded once; broken files are listed as problems and left out.',
  options: {},
  async run(args, io) {
    const folder = args.positionals[0];
    if (folder === undefined) throw new UsageError('give the dataset folder: inspect <folder>');
    if (args.positionals.length > 1)
      throw new UsageError(`one folder only, got ${args.positionals.length}`);
    const index = await openDataset(folder);
    io.log(`opened ${index.root} (${index.layout}); counting FOV and vessel pixels...`);
    const summary = await summariseDataset(index);
    return { json: summary, text: describeSummary(summary) };
  },
};
