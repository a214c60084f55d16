/**
 * Renders build/icon.svg into the icons electron-builder packs: build/icon.png (1024 px, the
 * source it converts when it must), build/icons/<n>x<n>.png (Linux), build/icon.ico (Windows)
 * and build/icon.icns (macOS). ICO and ICNS both hold PNG images, so they are written here
 * directly instead of needing platform tools. Run: `npx tsx scripts/icons.ts`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/** ICNS entry types that hold PNG data, with their pixel size (Apple's icns format). */
export const ICNS_TYPES: ReadonlyArray<[type: string, size: number]> = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

/** Renders the SVG at one size (rendered large once and downscaled, so thin vessels stay crisp). */
export async function renderPng(svg: Buffer, size: number): Promise<Buffer> {
  return sharp(svg, { density: 144 })
    .resize(size, size, { kernel: 'lanczos3' })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** An ICO file whose entries are PNG images (supported by Windows since Vista). */
export function encodeIco(images: ReadonlyArray<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, index) => {
    const entry = 6 + 16 * index;
    // Width and height are one byte each; 0 means 256.
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2);
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

/** An ICNS file: the `icns` header, then one (type, length, PNG) block per entry, big endian. */
export function encodeIcns(entries: ReadonlyArray<{ type: string; png: Buffer }>): Buffer {
  const blocks = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const total = 8 + blocks.reduce((sum, block) => sum + block.length, 0);
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(total, 4);
  return Buffer.concat([header, ...blocks]);
}

/** Writes every icon from build/icon.svg into buildDir. */
export async function writeIcons(buildDir: string): Promise<string[]> {
  const svg = readFileSync(path.join(buildDir, 'icon.svg'));
  const sizes = [...new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, s]) => s)])];
  const pngs = new Map<number, Buffer>();
  for (const size of sizes) pngs.set(size, await renderPng(svg, size));
  const png = (size: number) => pngs.get(size) as Buffer;
  const written: string[] = [];
  const write = (file: string, data: Buffer) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    written.push(file);
  };
  write(path.join(buildDir, 'icon.png'), png(1024));
  for (const size of LINUX_SIZES)
    write(path.join(buildDir, 'icons', `${size}x${size}.png`), png(size));
  write(
    path.join(buildDir, 'icon.ico'),
    encodeIco(ICO_SIZES.map((size) => ({ size, png: png(size) }))),
  );
  write(
    path.join(buildDir, 'icon.icns'),
    encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: png(size) }))),
  );
  return written;
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');
  const written = await writeIcons(buildDir);
  process.stderr.write(`wrote ${written.length} icons into ${buildDir}\n`);
}
