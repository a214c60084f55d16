/**
 * The training stream: random patches (or crops, or whole images), augmented, delivered as NHWC
 * Float32Array batches. Batch k is a pure function of (images, config, k): a seeded PRNG is
 * started per batch, so the same seed gives the same batches whatever the prefetch depth.
 */
import { z } from 'zod';
import { AppError } from '../../../shared/result';
import { augmentConfigSchema, drawTransform, renderSample, type TrainingImage } from './augment';
import { DATASET_ERRORS } from './errors';
import { SeededRandom } from './random';

export const samplerConfigSchema = z
  .object({
    /**
     * `patch`: random windows of `patchSize` (random crops are large patches); `whole`: whole
     * images, taken in turn, at the first image's size (turns and rotations of a non-square
     * image fill the uncovered corners by mirroring).
     */
    mode: z.enum(['patch', 'whole']),
    /** Patch height and width in pixels (ignored for `whole`). */
    patchSize: z.number().int().min(1).max(4096),
    batchSize: z.number().int().min(1).max(4096),
    /** `fov`: patch centres are FOV pixels; `anywhere`: any centre whose unrotated patch fits in the image (LadderNet). */
    centres: z.enum(['fov', 'anywhere']),
    /** Probability that a centre is a vessel pixel (inside the FOV); null = no balancing. */
    vesselFraction: z.number().min(0).max(1).nullable(),
    augment: augmentConfigSchema,
    seed: z.number().int(),
  })
  .strict();

/** How the sampler draws samples. */
export type SamplerConfig = z.infer<typeof samplerConfigSchema>;

/** One batch: x is NHWC (`shape`), y is NHW1 with 0/1, fov is NHW with 0/1 (for masked losses). */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  fov: Uint8Array;
  shape: [number, number, number, number];
  /** Index of this batch in the stream (its PRNG stream). */
  index: number;
  /** Which image each sample came from. */
  imageIds: string[];
}

/** Per-image lists of centre candidates, built once. */
interface CentreLists {
  region: Int32Array;
  vessels: Int32Array;
}

function buildCentreLists(image: TrainingImage, config: SamplerConfig): CentreLists {
  const { width: W, height: H, fov, label } = image;
  const half = Math.floor(config.patchSize / 2);
  const region: number[] = [];
  const vessels: number[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (config.centres === 'fov') {
        if (fov[i] === 1) region.push(i);
      } else if (
        x >= half &&
        x + config.patchSize - half <= W &&
        y >= half &&
        y + config.patchSize - half <= H
      ) {
        region.push(i);
      }
      if (fov[i] === 1 && label[i] === 1) vessels.push(i);
    }
  }
  // A patch larger than the image has no fitting centre: fall back to every pixel (mirrored edges).
  if (region.length === 0 && config.centres === 'anywhere')
    for (let i = 0; i < W * H; i++) region.push(i);
  return { region: Int32Array.from(region), vessels: Int32Array.from(vessels) };
}

/** Checks the config and the images; throws DATASET_BAD_CONFIG with what to change. */
function validate(images: TrainingImage[], config: SamplerConfig): void {
  const parsed = samplerConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      DATASET_ERRORS.BAD_CONFIG,
      `Sampler config is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? ''}.`,
      { issues: parsed.error.issues },
    );
  }
  if (images.length === 0)
    throw new AppError(
      DATASET_ERRORS.BAD_CONFIG,
      'The sampler was given no images: open a dataset split that has some.',
    );
  const channels = images[0]!.channels;
  for (const im of images) {
    const n = im.width * im.height;
    if (
      im.image.length !== n * im.channels ||
      im.label.length !== n ||
      im.fov.length !== n ||
      im.channels !== channels
    ) {
      throw new AppError(
        DATASET_ERRORS.BAD_CONFIG,
        `Training image ${im.id}: image, label and FOV arrays do not match ${im.width}x${im.height}x${channels}.`,
      );
    }
  }
}

/** Draws batches from preprocessed images; `batch(k)` is deterministic. */
export class PatchSampler {
  readonly images: TrainingImage[];
  readonly config: SamplerConfig;
  readonly sampleHeight: number;
  readonly sampleWidth: number;
  readonly channels: number;
  private readonly centres: CentreLists[];

  constructor(images: TrainingImage[], config: SamplerConfig) {
    validate(images, config);
    this.images = images;
    this.config = config;
    this.channels = images[0]!.channels;
    if (config.mode === 'whole') {
      // Whole images of one batch share a shape: the first image's; others are centred and mirrored.
      this.sampleHeight = images[0]!.height;
      this.sampleWidth = images[0]!.width;
      this.centres = [];
    } else {
      this.sampleHeight = config.patchSize;
      this.sampleWidth = config.patchSize;
      this.centres = images.map((im) => buildCentreLists(im, config));
      const empty = images.find((_, i) => this.centres[i]!.region.length === 0);
      if (empty) {
        throw new AppError(
          DATASET_ERRORS.BAD_CONFIG,
          `${empty.id} has no FOV pixel to centre a patch on: check its FOV mask, or sample with centres "anywhere".`,
        );
      }
    }
  }

  /** Batch number `index` of this sampler's stream. */
  batch(index: number): Batch {
    const { batchSize, mode, vesselFraction } = this.config;
    const h = this.sampleHeight;
    const w = this.sampleWidth;
    const C = this.channels;
    const random = new SeededRandom(this.config.seed, index);
    const x = new Float32Array(batchSize * h * w * C);
    const y = new Float32Array(batchSize * h * w);
    const fov = new Uint8Array(batchSize * h * w);
    const imageIds: string[] = [];
    for (let n = 0; n < batchSize; n++) {
      const k =
        mode === 'whole'
          ? (index * batchSize + n) % this.images.length
          : random.int(this.images.length);
      const image = this.images[k]!;
      let cx: number;
      let cy: number;
      if (mode === 'whole') {
        cx = Math.floor(image.width / 2);
        cy = Math.floor(image.height / 2);
      } else {
        const lists = this.centres[k]!;
        const useVessel =
          vesselFraction !== null && lists.vessels.length > 0 && random.chance(vesselFraction);
        const list = useVessel ? lists.vessels : lists.region;
        const i = list[random.int(list.length)]!;
        cx = i % image.width;
        cy = (i - cx) / image.width;
      }
      // Each sample's augmentation has its own generator, so switching augmentations on or
      // off never changes which patches are drawn.
      const transform = drawTransform(this.config.augment, new SeededRandom(random.nextUint32()));
      renderSample(image, cx, cy, transform, {
        x,
        y,
        fov,
        pixelOffset: n * h * w,
        height: h,
        width: w,
      });
      imageIds.push(image.id);
    }
    return { x, y, fov, shape: [batchSize, h, w, C], index, imageIds };
  }
}

/** Options of a `PatchStream`. */
export interface StreamOptions {
  /** Batches kept ready ahead of the consumer (default 4). */
  prefetch?: number;
  /** Index of the first batch (to resume a stream). */
  startBatch?: number;
  /**
   * Batches in all, e.g. an epoch: LadderNet draws 190,000 patches, 5,938 batches of 32
   * (rounded up). The stream ends after them; default endless.
   */
  batches?: number;
}

/**
 * A stream of batches prepared ahead (endless unless `batches` is set): after each `next()` the stream refills its
 * queue in later event-loop turns (setImmediate), so batches are built while the consumer
 * awaits its training step, and `next()` resolves at once while the queue has one.
 */
export class PatchStream implements AsyncIterable<Batch> {
  readonly sampler: PatchSampler;
  private readonly depth: number;
  private readonly queue: Batch[] = [];
  private nextIndex: number;
  private scheduled: ReturnType<typeof setImmediate> | null = null;
  private closed = false;
  private delivered = 0;
  private readonly limit: number;

  constructor(sampler: PatchSampler, options: StreamOptions = {}) {
    this.sampler = sampler;
    this.depth = Math.max(1, options.prefetch ?? 4);
    this.nextIndex = options.startBatch ?? 0;
    this.limit = options.batches ?? Infinity;
    this.schedule();
  }

  /** True once `batches` batches have been delivered (never for an endless stream). */
  get done(): boolean {
    return this.delivered >= this.limit;
  }

  /** Batches ready right now. */
  get ready(): number {
    return this.queue.length;
  }

  private schedule(): void {
    const wanted = Math.min(this.depth, this.limit - this.delivered);
    if (this.closed || this.scheduled !== null || this.queue.length >= wanted) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = null;
      if (this.closed) return;
      this.queue.push(this.sampler.batch(this.nextIndex++));
      this.schedule();
    });
  }

  /** The next batch, in order. */
  async next(): Promise<Batch> {
    if (this.closed || this.done) {
      const why = this.closed ? 'is closed' : `has delivered its ${this.limit} batches`;
      throw new AppError(DATASET_ERRORS.BAD_CONFIG, `The patch stream ${why}: create a new one.`);
    }
    const batch = this.queue.shift() ?? this.sampler.batch(this.nextIndex++);
    this.delivered++;
    this.schedule();
    return batch;
  }

  /** Stops preparing batches and frees the queue. */
  close(): void {
    this.closed = true;
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
    this.queue.length = 0;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    while (!this.closed && !this.done) yield await this.next();
  }
}

/** Creates a prefetching stream of augmented batches over preprocessed images. */
export function createPatchStream(
  images: TrainingImage[],
  config: SamplerConfig,
  options: StreamOptions = {},
): PatchStream {
  return new PatchStream(new PatchSampler(images, config), options);
}
