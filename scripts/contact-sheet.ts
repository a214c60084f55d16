/**
 * Writes a contact sheet (PNG) of augmented DRIVE training samples so a person can check the
 * augmentation by eye. Each cell is one sample as four panels: the crop without augmentation,
 * the same crop augmented (network input), its label and its FOV. Augmentation draws have their
 * own generator, so both versions share the crop centre.
 *
 *   npx tsx scripts/contact-sheet.ts --out sheet.png [--samples 8] [--size 160] [--seed 1]
 *     [--augment all|geometric|elastic|intensity]
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  AUGMENT_ALL,
  AUGMENT_NONE,
  loadTrainingImages,
  openDataset,
  PatchSampler,
  PREPROCESS_RECIPES,
  type AugmentConfig,
  type SamplerConfig,
} from '../src/main/engine/dataset';
import { driveRoot } from '../test/support/drive';

/** What --augment can show, one kind at a time or all together. */
const AUGMENTATIONS: Record<string, AugmentConfig> = {
  all: AUGMENT_ALL,
  geometric: { ...AUGMENT_NONE, flips: true, rotate90: true, rotationDegrees: 180 },
  elastic: { ...AUGMENT_NONE, elastic: AUGMENT_ALL.elastic },
  intensity: { ...AUGMENT_NONE, brightness: 0.1, contrast: 0.2, gamma: 0.2 },
};

function fail(message: string): never {
  process.stderr.write(`contact-sheet: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      samples: { type: 'string', default: '8' },
      size: { type: 'string', default: '160' },
      seed: { type: 'string', default: '1' },
      data: { type: 'string', default: driveRoot() },
      augment: { type: 'string', default: 'all' },
    },
  });
  if (!values.out) fail('missing --out <file.png>');
  const samples = Number(values.samples);
  const size = Number(values.size);
  const seed = Number(values.seed);
  if (!Number.isInteger(samples) || samples < 1 || samples > 64) fail('--samples must be 1 to 64');
  if (!Number.isInteger(size) || size < 16 || size > 584) fail('--size must be 16 to 584');
  if (!Number.isInteger(seed)) fail('--seed must be a whole number');
  const augment = AUGMENTATIONS[values.augment];
  if (!augment) fail(`--augment must be one of ${Object.keys(AUGMENTATIONS).join(', ')}`);
  if (!existsSync(values.data)) fail(`${values.data} is absent: pass --data <DRIVE folder>`);

  const index = await openDataset(values.data);
  const entries = index.splits.training ?? index.splits.test ?? index.splits.all ?? [];
  const images = await loadTrainingImages(entries, PREPROCESS_RECIPES.laddernet);
  const config: SamplerConfig = {
    mode: 'patch',
    patchSize: size,
    batchSize: samples,
    centres: 'fov',
    vesselFraction: 0.5,
    augment,
    seed,
  };
  const augmented = new PatchSampler(images, config).batch(0);
  const plain = new PatchSampler(images, { ...config, augment: AUGMENT_NONE }).batch(0);

  const gap = 4;
  const panels = 4;
  const cellWidth = panels * size + (panels - 1) * 2;
  const columns = Math.min(2, samples);
  const rows = Math.ceil(samples / columns);
  const width = columns * cellWidth + (columns + 1) * gap * 3;
  const height = rows * size + (rows + 1) * gap * 3;
  const sheet = new Uint8Array(width * height * 3).fill(40);
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const i = (y * width + x) * 3;
    sheet[i] = r;
    sheet[i + 1] = g;
    sheet[i + 2] = b;
  };
  const grey = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
  for (let n = 0; n < samples; n++) {
    const left = gap * 3 + (n % columns) * (cellWidth + gap * 3);
    const top = gap * 3 + Math.floor(n / columns) * (size + gap * 3);
    const offset = n * size * size;
    for (let v = 0; v < size; v++) {
      for (let u = 0; u < size; u++) {
        const p = offset + v * size + u;
        const y = top + v;
        const before = grey(plain.x[p]!);
        const after = grey(augmented.x[p]!);
        put(left + u, y, before, before, before);
        put(left + (size + 2) + u, y, after, after, after);
        // Label in white over the dimmed input, so vessels can be matched to the image.
        const label = augmented.y[p]! === 1;
        put(
          left + 2 * (size + 2) + u,
          y,
          label ? 255 : after >> 2,
          label ? 255 : after >> 2,
          label ? 255 : after >> 2,
        );
        const fov = augmented.fov[p]! === 1;
        put(left + 3 * (size + 2) + u, y, fov ? 90 : 0, fov ? 160 : 0, fov ? 255 : 0);
      }
    }
  }
  await sharp(sheet, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(values.out);
  process.stdout.write(
    `${values.out}: ${samples} samples of ${size}x${size} from ${entries.length} images of ${index.root}, ` +
      `augmentation ${values.augment}, seed ${seed}; ` +
      `panels: crop, augmented crop, label, FOV\n`,
  );
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
