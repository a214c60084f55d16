/**
 * PNG bytes from the contract to pixels and back, in the browser. Decoding asks for no colour
 * conversion and no premultiplication, so a grey 0/255 mask comes back as exactly 0 and 255.
 */

function canvasOf(width: number, height: number): OffscreenCanvas {
  return new OffscreenCanvas(width, height);
}

/** Decodes PNG bytes into an ImageBitmap for drawing (the fundus layer). */
export function decodePngBitmap(png: Uint8Array): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([png as BlobPart], { type: 'image/png' }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
}

/** Decodes a grey PNG into one byte per pixel (its red channel). */
export async function decodePngGrey(
  png: Uint8Array,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const bitmap = await decodePngBitmap(png);
  try {
    const { width, height } = bitmap;
    const ctx = canvasOf(width, height).getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4]!;
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}

/** Encodes a 0/1 mask as PNG bytes (opaque black and white, lossless). */
export async function encodeMaskPng(
  mask: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const canvas = canvasOf(width, height);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(width, height);
  const rgba = image.data;
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i] ? 255 : 0;
    const o = i * 4;
    rgba[o] = v;
    rgba[o + 1] = v;
    rgba[o + 2] = v;
    rgba[o + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}
