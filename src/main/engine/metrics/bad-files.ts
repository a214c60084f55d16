/**
 * The files of a dataset that openDataset could not use, as they touch one command: the
 * problems that lie in the splits it reads, and the images they leave out. An image left out
 * changes the protocol (figures over fewer images, a FOV derived instead of the official one),
 * so `eval` and `train` refuse unless told to skip, and name every such file when they skip.
 */
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { DATASET_ERRORS, type DatasetIndex, type DatasetProblem, type SplitName } from '../dataset';
import { discoverLayout } from '../dataset/discover';

/** The images of one split: how many were found, and which of them were left out. */
export interface SplitImages {
  /** Images found in the split folder, used or not. */
  found: number;
  /** Absolute paths of the images left out, sorted. */
  leftOut: string[];
}

/** What a command meets of a dataset's problems in the splits it reads. */
export interface BadFiles {
  /** The problems (as openDataset listed them) in the splits read. */
  problems: DatasetProblem[];
  /** Per split read: images found and left out. */
  images: Partial<Record<SplitName, SplitImages>>;
}

function inside(file: string, folder: string): boolean {
  return file === folder || file.startsWith(folder + path.sep);
}

/**
 * The problems of `index` that touch `splits`, and the images of those splits left out. A
 * problem outside every split folder (the dataset's own) touches every command.
 */
export async function badFilesIn(
  index: DatasetIndex,
  splits: readonly SplitName[],
): Promise<BadFiles> {
  // openDataset keeps only the usable entries; the layout's candidates say what there was.
  const discovery = await discoverLayout(index.root);
  const read = discovery.splits.filter((s) => splits.includes(s.split));
  const others = discovery.splits.filter((s) => !splits.includes(s.split));
  const problems = index.problems.filter(
    (p) =>
      read.some((s) => inside(p.file, s.folder)) || !others.some((s) => inside(p.file, s.folder)),
  );
  const images: BadFiles['images'] = {};
  for (const { split, folder, candidates } of read) {
    const used = new Set((index.splits[split] ?? []).map((e) => e.imagePath));
    const found = new Set(candidates.map((c) => c.imagePath));
    // An image without its first-observer label is no candidate; its problem names the image.
    for (const p of problems)
      if (p.code === DATASET_ERRORS.LABEL_MISSING && inside(p.file, folder)) found.add(p.file);
    const previous = images[split];
    images[split] = {
      found: (previous?.found ?? 0) + found.size,
      leftOut: [...(previous?.leftOut ?? []), ...[...found].filter((f) => !used.has(f))].sort(),
    };
  }
  return { problems, images };
}

/** Every image left out of `bad`, over its splits. */
export function leftOutImages(bad: BadFiles): string[] {
  return Object.values(bad.images)
    .flatMap((s) => s.leftOut)
    .sort();
}

/** One line per problem, each naming its file and what is wrong with it. */
export function problemLines(problems: readonly DatasetProblem[]): string[] {
  return problems.map(
    (p) => `  - ${p.message.includes(p.file) ? p.message : `${p.file}: ${p.message}`} [${p.code}]`,
  );
}

/**
 * The refusal when `bad` holds any problem: an AppError with `code` naming each file, what is
 * wrong with it, and how to go on (`doing`: "evaluate", "train").
 */
export function refuseBadFiles(root: string, bad: BadFiles, code: string, doing: string): void {
  if (bad.problems.length === 0) return;
  const left = leftOutImages(bad);
  throw new AppError(
    code,
    [
      `${root}: ${bad.problems.length} file problem(s) in the splits to ${doing} on would ${left.length > 0 ? `leave out ${left.length} image(s) and ` : ''}change the protocol, so nothing was done:`,
      ...problemLines(bad.problems),
      `Fix or replace each file (or add what is missing), or pass --skip-bad to ${doing} without them: every file left out is then named in the output.`,
    ].join('\n'),
    { problems: bad.problems, leftOut: left },
  );
}
