import type { TrainingImage } from '../../src/main/engine/dataset/augment';

/**
 * A single-channel training image drawn from a binary shape: intensity 1 and label 1 where
 * `inside(x, y)` holds, 0 elsewhere. The FOV is the whole image or the shape itself.
 */
export function maskImage(
  id: string,
  width: number,
  height: number,
  inside: (x: number, y: number) => boolean,
  fov: 'whole image' | 'shape',
): TrainingImage {
  const shape = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) shape[y * width + x] = inside(x, y) ? 1 : 0;
  return {
    id,
    width,
    height,
    channels: 1,
    image: Float32Array.from(shape),
    label: shape.slice(),
    fov: fov === 'shape' ? shape.slice() : new Uint8Array(width * height).fill(1),
  };
}
