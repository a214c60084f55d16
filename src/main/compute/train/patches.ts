/**
 * Training and validation patches from preprocessed images: square patches centred on seeded
 * random pixels inside the field of view, augmented by the dataset area's sampler (flips, turns,
 * rotation, rescaling, U-Net elastic deformation, grey-value jitter or intensity ranges; mirrored
 * at the image border). The per-pixel loss weight map goes through the same coordinate map as
 * the image, so class, border and fine-tuning weights stay on their pixels. For U-Nets with valid convolutions the
 * patch size is the output side and each patch is rendered with the receptive border around it
 * (patch-geometry.ts); labels, weights and FOV cover the same input window, so the loss crops all
 * three to the output centre alike.
 */
import type { ModelConfig } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import {
  AUGMENT_ALL,
  AUGMENT_NONE,
  drawTransform,
  renderSample,
  type AugmentConfig,
  type TrainingImage,
} from '../../engine/dataset/augment';
import type { SeededRandom } from '../../engine/dataset/random';
import { TRAIN_ERROR_CODES, type TrainImage } from './job';
import { trainingPatchGeometry, type PatchGeometry } from './patch-geometry';

/**
 * An NHWC batch: x has `channels` values per pixel, y, weight and fov one each, all over the
 * same input window; a valid-padding network's output covers its centre `outputSize` square.
 */
export interface PatchBatch {
  x: Float32Array;
  y: Float32Array;
  weight: Float32Array;
  fov: Float32Array;
  shape: [number, number, number, number];
  /** Side of the network output for this batch: shape[1] for padded networks, less for valid ones. */
  outputSize: number;
}

/** An image with its loss weight map, ready for patch extraction. */
export interface WeightedImage extends TrainImage {
  /** H x W loss weight of every pixel (class and border weights included). */
  lossWeight: Float32Array;
}

export interface WeightedPatchSamplerOptions {
  /** Side of the training patch: the network output (valid U-Nets get the input border added). */
  patchSize: number;
  /** The network the patches are for; omitted: input and output are both `patchSize`. */
  config?: ModelConfig;
  /** true: every augmentation of the dataset area; false: none; or a config of its own. */
  augment: boolean | AugmentConfig;
}

/** Refuses images whose arrays do not match their size, naming the image. */
export function checkTrainImage(image: TrainImage): void {
  const pixels = image.width * image.height;
  const problems: string[] = [];
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || pixels <= 0)
    problems.push(`size ${image.width}x${image.height}`);
  if (image.pixels.length !== pixels * image.channels)
    problems.push(
      `${image.pixels.length} pixel values for ${pixels} pixels x ${image.channels} channels`,
    );
  if (image.label.length !== pixels)
    problems.push(`label has ${image.label.length} values for ${pixels} pixels`);
  if (image.fov && image.fov.length !== pixels)
    problems.push(`FOV mask has ${image.fov.length} values for ${pixels} pixels`);
  if (image.weight && image.weight.length !== pixels)
    problems.push(`weight map has ${image.weight.length} values for ${pixels} pixels`);
  if (image.centres && image.centres.length !== pixels)
    problems.push(`patch-centre mask has ${image.centres.length} values for ${pixels} pixels`);
  if (problems.length > 0) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_IMAGE,
      `Training image ${image.id} is inconsistent: ${problems.join('; ')}. Check its files (image, label and mask must have the same size).`,
    );
  }
}

interface Source {
  image: TrainingImage;
  /** The loss weights as a one-channel image, so they follow the same coordinate map. */
  weights: TrainingImage;
  /** Pixel indices inside the FOV: the possible patch centres. */
  centres: Int32Array;
}

/** Draws patches from a set of images; every draw comes from the generator passed in. */
export class WeightedPatchSampler {
  private readonly sources: Source[];
  private readonly augment: AugmentConfig;
  readonly channels: number;
  /** Input and output sides of every patch drawn. */
  readonly geometry: PatchGeometry;

  constructor(
    images: WeightedImage[],
    private readonly options: WeightedPatchSamplerOptions,
  ) {
    if (images.length === 0)
      throw new AppError(
        TRAIN_ERROR_CODES.NO_IMAGES,
        'There are no images to draw training patches from.',
      );
    const channels = images[0]?.channels ?? 1;
    for (const image of images) {
      checkTrainImage(image);
      if (image.channels !== channels) {
        throw new AppError(
          TRAIN_ERROR_CODES.BAD_IMAGE,
          `Training image ${image.id} has ${image.channels} channels where the others have ${channels}; preprocess all images the same way.`,
        );
      }
    }
    this.channels = channels;
    this.geometry = options.config
      ? trainingPatchGeometry(options.config, options.patchSize)
      : { inputSize: options.patchSize, outputSize: options.patchSize, border: 0 };
    this.augment =
      options.augment === true
        ? AUGMENT_ALL
        : options.augment === false
          ? AUGMENT_NONE
          : options.augment;
    this.sources = images.map((image) => {
      const fov = image.fov ?? new Uint8Array(image.width * image.height).fill(1);
      const base = {
        id: image.id,
        width: image.width,
        height: image.height,
        label: image.label,
        fov,
      };
      return {
        image: { ...base, channels, image: image.pixels },
        weights: { ...base, channels: 1, image: image.lossWeight },
        centres: patchCentres(image.id, fov, image.centres),
      };
    });
  }

  /** One batch of `size` patches. */
  batch(size: number, random: SeededRandom): PatchBatch {
    const p = this.geometry.inputSize;
    const c = this.channels;
    const x = new Float32Array(size * p * p * c);
    const y = new Float32Array(size * p * p);
    const weight = new Float32Array(size * p * p);
    const fov = new Uint8Array(size * p * p);
    // Scratch for the weight render (its label and FOV copies are discarded).
    const scratchY = new Float32Array(p * p);
    const scratchFov = new Uint8Array(p * p);
    for (let n = 0; n < size; n++) {
      const source = this.sources[random.int(this.sources.length)] as Source;
      const centre = source.centres[random.int(source.centres.length)] as number;
      const cx = centre % source.image.width;
      const cy = Math.floor(centre / source.image.width);
      const transform = drawTransform(this.augment, random);
      renderSample(source.image, cx, cy, transform, {
        x,
        y,
        fov,
        pixelOffset: n * p * p,
        height: p,
        width: p,
      });
      // Weights move with the pixels but get no grey-value jitter.
      const weightPatch = weight.subarray(n * p * p, (n + 1) * p * p);
      renderSample(
        source.weights,
        cx,
        cy,
        { ...transform, brightness: 0, contrast: 1, gammaExponent: 1 },
        { x: weightPatch, y: scratchY, fov: scratchFov, pixelOffset: 0, height: p, width: p },
      );
      // Bicubic sampling can undershoot next to a sharp weight edge; a weight is never negative.
      for (let i = 0; i < weightPatch.length; i++)
        if ((weightPatch[i] as number) < 0) weightPatch[i] = 0;
    }
    return {
      x,
      y,
      weight,
      fov: Float32Array.from(fov),
      shape: [size, p, p, c],
      outputSize: this.geometry.outputSize,
    };
  }
}

/** Pixel indices inside the FOV, and where `allowed` is given, inside it too. */
function patchCentres(id: string, fov: Uint8Array, allowed: Uint8Array | undefined): Int32Array {
  const inside: number[] = [];
  for (let i = 0; i < fov.length; i++) if (fov[i] && (!allowed || allowed[i])) inside.push(i);
  if (inside.length === 0) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_IMAGE,
      allowed
        ? `No patch of ${id} can be centred where it was asked: the region lies outside its field of view.`
        : `The field-of-view mask of ${id} is empty; check its mask file.`,
    );
  }
  return Int32Array.from(inside);
}
