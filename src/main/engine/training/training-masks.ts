/**
 * The masks a run learns from: an image's latest revision where the person corrected it, else
 * its 1st manual label (which the compute process reads from the dataset itself). Pixels a
 * correction changed are weighted up, so a few corrected pixels are not drowned by the rest.
 */
import type { ImageOverride } from '../../compute/train/job';
import { loadLabel, type ImageEntry } from '../dataset';
import type { Project, TrainingMask } from '../project';

/** What a run trains on: the labels that replace the dataset's, and each image's revision. */
export interface TrainingMasks {
  /** By image id, for the corrected images only. */
  overrides: Record<string, ImageOverride>;
  /** Every image with the revision it was trained on (null: its 1st manual label). */
  trainedOn: TrainingMask[];
}

/**
 * The masks training learns from, with corrected pixels weighted `weight` and the rest 1. With
 * `neighbourhood` (a quick fine-tune) only the images with a corrected pixel are kept, each with
 * the pixels within `neighbourhood` pixels (a square) of a correction as its patch centres, and
 * `trainedOn` lists those images alone.
 */
export async function trainingMasks(
  project: Pick<Project, 'latestMaskRevisions' | 'loadMaskRevision'>,
  entries: ImageEntry[],
  weight: number,
  neighbourhood: number | null = null,
): Promise<TrainingMasks> {
  const latest = new Map((await project.latestMaskRevisions()).map((r) => [r.imageKey, r]));
  const overrides: Record<string, ImageOverride> = {};
  const trainedOn: TrainingMask[] = [];
  for (const entry of entries) {
    const revision = latest.get(entry.id);
    if (!revision) {
      if (neighbourhood === null) trainedOn.push({ imageKey: entry.id, revisionId: null });
      continue;
    }
    const { mask } = await project.loadMaskRevision(revision.id);
    const original = await loadLabel(entry, '1st');
    const weights = new Float32Array(mask.data.length).fill(1);
    const changed = new Uint8Array(mask.data.length);
    let changes = 0;
    for (let i = 0; i < weights.length; i++) {
      if ((mask.data[i] !== 0) !== (original[i] !== 0)) {
        weights[i] = weight;
        changed[i] = 1;
        changes++;
      }
    }
    if (neighbourhood !== null && changes === 0) continue;
    trainedOn.push({ imageKey: entry.id, revisionId: revision.id });
    overrides[entry.id] = {
      label: mask.data,
      weight: weights,
      ...(neighbourhood === null
        ? {}
        : { centres: dilateSquare(changed, mask.width, mask.height, neighbourhood) }),
    };
  }
  return { overrides, trainedOn };
}

/**
 * The pixels within `radius` of a set pixel in the maximum norm: a square dilation, done as a
 * running count along the rows, then along the columns (linear in the pixels whatever the radius).
 */
export function dilateSquare(
  set: Uint8Array,
  width: number,
  height: number,
  radius: number,
): Uint8Array {
  const along = (
    input: Uint8Array,
    length: number,
    lines: number,
    at: (line: number, k: number) => number,
  ) => {
    const output = new Uint8Array(input.length);
    for (let line = 0; line < lines; line++) {
      let count = 0;
      // The window [k - radius, k + radius], slid one pixel at a time.
      for (let k = 0; k < Math.min(radius, length); k++) count += input[at(line, k)] as number;
      for (let k = 0; k < length; k++) {
        if (k + radius < length) count += input[at(line, k + radius)] as number;
        if (k - radius - 1 >= 0) count -= input[at(line, k - radius - 1)] as number;
        if (count > 0) output[at(line, k)] = 1;
      }
    }
    return output;
  };
  const rows = along(set, width, height, (y, x) => y * width + x);
  return along(rows, height, width, (x, y) => y * width + x);
}
