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

/** The masks training learns from, with corrected pixels weighted `weight` and the rest 1. */
export async function trainingMasks(
  project: Pick<Project, 'latestMaskRevisions' | 'loadMaskRevision'>,
  entries: ImageEntry[],
  weight: number,
): Promise<TrainingMasks> {
  const latest = new Map((await project.latestMaskRevisions()).map((r) => [r.imageKey, r]));
  const overrides: Record<string, ImageOverride> = {};
  const trainedOn: TrainingMask[] = [];
  for (const entry of entries) {
    const revision = latest.get(entry.id);
    trainedOn.push({ imageKey: entry.id, revisionId: revision?.id ?? null });
    if (!revision) continue;
    const { mask } = await project.loadMaskRevision(revision.id);
    const original = await loadLabel(entry, '1st');
    const weights = new Float32Array(mask.data.length).fill(1);
    for (let i = 0; i < weights.length; i++)
      if ((mask.data[i] !== 0) !== (original[i] !== 0)) weights[i] = weight;
    overrides[entry.id] = { label: mask.data, weight: weights };
  }
  return { overrides, trainedOn };
}
