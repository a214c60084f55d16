/**
 * Fetches one image's pixels through the contract and decodes them in the browser: the fundus
 * as a bitmap, labels and FOV from run lengths, the prediction from a grey PNG. The phases are
 * recorded as performance measures, which the canvas benchmark reads.
 */
import type { VesselApi } from '../../../shared/api';
import type { StudioPrediction } from '../../../shared/api/studio';
import { decodeMaskRuns } from '../../../shared/mask-runs';
import { decodePngBitmap, decodePngGrey } from '../canvas/png-pixels';
import { unwrap } from './persistence';
import { predictionScaleText } from './prediction-scale-label';
import type { LoadedImage } from './scene';

/** An image ready to show, but for its document; `mask` only when one was asked for. */
export interface FetchedImage {
  image: Omit<LoadedImage, 'doc'>;
  mask: { pixels: Uint8Array; revisionId: number | null } | null;
  /** When the fetch started and ended, for the caller's remaining measures. */
  t0: number;
  t1: number;
}

/**
 * The model whose prediction is shown, for the side panel; an earlier version's prediction
 * standing in for the active one's says so. Null when none is shown.
 */
export function shownModelName(prediction: StudioPrediction): string | null {
  if (!prediction.available) return null;
  const standIn = prediction.standsInFor;
  return standIn
    ? `${prediction.modelName}, shown until "${standIn.modelName}" has predicted this image`
    : prediction.modelName;
}

/** Fetches and decodes image `id`; its saved mask only when `withMask` (no document yet). */
export async function fetchImage(
  api: VesselApi,
  id: string,
  withMask: boolean,
): Promise<FetchedImage> {
  const t0 = performance.now();
  const timed = <T>(name: string, request: Promise<T>): Promise<T> =>
    request.then((value) => {
      performance.measure(`studio:fetch-${name}`, { start: t0, end: performance.now() });
      return value;
    });
  const [image, labels, mask, prediction] = await Promise.all([
    timed('image', api.studio.image({ id }).then(unwrap)),
    timed('labels', api.studio.labels({ id }).then(unwrap)),
    withMask ? timed('mask', api.studio.mask({ id }).then(unwrap)) : Promise.resolve(null),
    timed('prediction', api.studio.prediction({ id }).then(unwrap)),
  ]);
  const t1 = performance.now();
  const size = image.width * image.height;
  const [fundus, probabilities] = await Promise.all([
    decodePngBitmap(image.png),
    prediction.available ? decodePngGrey(prediction.png) : Promise.resolve(null),
  ]);
  // Masks come as run lengths: decoding them is a few fills, no image decoder involved.
  return {
    image: {
      id,
      width: image.width,
      height: image.height,
      fundus,
      first: decodeMaskRuns(labels.firstObserver, size),
      second: labels.secondObserver ? decodeMaskRuns(labels.secondObserver, size) : null,
      fov: decodeMaskRuns(labels.fov, size),
      probabilities: probabilities?.data ?? null,
      predictionNote: prediction.available ? null : prediction.reason,
      modelName: shownModelName(prediction),
      predictionScale: prediction.available
        ? predictionScaleText(prediction.scale, prediction.fovDiameter)
        : null,
    },
    mask: mask ? { pixels: decodeMaskRuns(mask.runs, size), revisionId: mask.revisionId } : null,
    t0,
    t1,
  };
}
