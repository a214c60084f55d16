/** From dataset entries to the preprocessed, labelled images the sampler reads. */
import type { TrainingImage } from './augment';
import { loadFov, loadLabel, loadRgb } from './decode';
import { preprocessImages, type PreprocessConfig } from './preprocess';
import type { ImageEntry, Observer } from './types';

/** Decodes and preprocesses entries (as one set, for set-wide normalisation) with their labels and FOV. */
export async function loadTrainingImages(
  entries: ImageEntry[],
  preprocess: PreprocessConfig,
  observer: Observer = '1st',
): Promise<TrainingImage[]> {
  const rgb = await Promise.all(entries.map((e) => loadRgb(e)));
  const images = await preprocessImages(rgb, preprocess);
  const labels = await Promise.all(entries.map((e) => loadLabel(e, observer)));
  const fovs = await Promise.all(entries.map((e) => loadFov(e)));
  return entries.map((e, i) => ({
    id: e.id,
    width: e.width,
    height: e.height,
    channels: 1,
    image: images[i]!,
    label: labels[i]!,
    fov: fovs[i]!,
  }));
}
