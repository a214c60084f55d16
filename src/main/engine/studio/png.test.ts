import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { thumbnailJpeg } from './png';

describe('thumbnailJpeg', () => {
  it('shrinks to the width asked for, keeping the proportions and the colours', async () => {
    const width = 320;
    const height = 200;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      // Left half red, right half blue.
      const left = i % width < width / 2;
      rgb[i * 3] = left ? 220 : 10;
      rgb[i * 3 + 2] = left ? 10 : 220;
    }
    const thumb = await thumbnailJpeg(rgb, width, height);
    expect(thumb).toMatchObject({ width: 64, height: 40 });
    const { data, info } = await sharp(thumb.jpeg).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 64, height: 40, channels: 3 });
    const at = (x: number, y: number) => [...data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    expect(at(8, 20)[0]).toBeGreaterThan(180);
    expect(at(56, 20)[2]).toBeGreaterThan(180);
  });

  it('never enlarges an image narrower than the thumbnail', async () => {
    const thumb = await thumbnailJpeg(new Uint8Array(20 * 10 * 3).fill(128), 20, 10);
    expect(thumb).toMatchObject({ width: 20, height: 10 });
  });
});
