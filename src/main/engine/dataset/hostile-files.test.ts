/**
 * Dataset folders are untrusted input: links to FIFOs and devices, gzip bombs, huge headers,
 * coloured labels and files this user may not read must each give a listed, coded problem
 * (or be read correctly), never a hang, unbounded memory or an uncoded error.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import {
  decodeFile,
  imageLimits,
  loadLabel,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_PIXELS_ENV,
  readImageSize,
} from './decode';
import { DATASET_ERRORS } from './errors';
import { allEntries, openDataset } from './open';
import {
  netpbmBytes,
  syntheticFundus,
  writeDrive,
  writeGeneric,
  writeRgb,
} from './synthetic-datasets';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-hostile-'));
  // The permission tests run as an unprivileged user, who must be able to reach the folders.
  await chmod(tmp, 0o755);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let counter = 0;
const fresh = () => path.join(tmp, `case-${counter++}`);

const fifos: string[] = [];
/** A FIFO made with mkfifo(1); remembered so that afterEach can release any reader it holds. */
function makeFifo(file: string): string {
  execFileSync('mkfifo', [file]);
  fifos.push(file);
  return file;
}
afterEach(() => {
  // Should a read block on a FIFO (the bug these tests catch), opening the FIFO for writing lets
  // it finish, so the failure stays in its own test. A child process opens it, since libuv's
  // thread pool may be full of those blocked reads.
  for (const fifo of fifos.splice(0)) execFileSync('sh', ['-c', ': <>"$1"', 'sh', fifo]);
  delete process.env[MAX_IMAGE_PIXELS_ENV];
});

const isPosix = process.platform !== 'win32';

/** A fresh DRIVE-layout dataset, and the path of one of its files or folders. */
async function driveWith(...inside: string[]): Promise<{ root: string; target: string }> {
  const root = fresh();
  await writeDrive(root);
  return { root, target: path.join(root, ...inside) };
}

/** The problems of `file` in an opened dataset. */
function problemsOf(
  index: { problems: { file: string; code: string; message: string }[] },
  file: string,
) {
  return index.problems.filter((p) => p.file === file);
}

describe('only regular files are read', () => {
  it.skipIf(!isPosix)(
    'links to FIFOs are listed as DATASET_FILE_NOT_REGULAR, and opens after them still return',
    async () => {
      const root = fresh();
      await writeDrive(root, { training: 6, test: 1 });
      // Five links to FIFOs: more than libuv's four pool threads, all of which a blocking open
      // of a FIFO would hold for good.
      const linked: string[] = [];
      for (const num of [21, 22, 23, 24, 25]) {
        const image = path.join(root, 'training', 'images', `${num}_training.tif`);
        const fifo = makeFifo(path.join(root, `pipe-${num}`));
        await unlink(image);
        await symlink(fifo, image);
        linked.push(image);
      }
      const index = await openDataset(root);
      expect(index.splits.training!.map((e) => e.id)).toEqual(['training/26_training']);
      for (const image of linked) {
        const [problem] = problemsOf(index, image);
        expect(problem).toMatchObject({ code: DATASET_ERRORS.FILE_NOT_REGULAR, file: image });
        expect(problem!.message).toContain('named pipe (FIFO)');
        expect(problem!.message).toContain(`a link to ${path.join(root, 'pipe-')}`);
      }
      // Headers-only opens take the same path, and a later open of the same folder returns.
      const headers = await openDataset(root, { verify: 'headers' });
      expect(headers.problems).toEqual(index.problems);
      expect(allEntries(await openDataset(root))).toHaveLength(2);
    },
    15_000,
  );

  it.skipIf(!isPosix)(
    'a plain FIFO named like an image is listed, not silently dropped',
    async () => {
      const root = fresh();
      await writeGeneric(root, false);
      const fifo = makeFifo(path.join(root, 'images', 'eye-c.png'));
      const label = syntheticFundus(0);
      await writeRgb(path.join(root, 'labels', 'eye-c.png'), label, 'png');
      const index = await openDataset(root);
      expect(index.splits.all!.map((e) => e.id)).toEqual(['all/eye-a', 'all/eye-b']);
      expect(problemsOf(index, fifo)).toEqual([
        expect.objectContaining({
          code: DATASET_ERRORS.FILE_NOT_REGULAR,
          message: expect.stringContaining('named pipe (FIFO)'),
        }),
      ]);
    },
    15_000,
  );

  it.skipIf(!isPosix)(
    'a link to /dev/zero is refused without reading it',
    async () => {
      const { root, target: label } = await driveWith('training', '1st_manual', '21_manual1.gif');
      await unlink(label);
      await symlink('/dev/zero', label);
      for (const read of [decodeFile, readImageSize]) {
        await expect(read(label)).rejects.toMatchObject({
          code: DATASET_ERRORS.FILE_NOT_REGULAR,
          message: expect.stringContaining('character device'),
        });
      }
      const index = await openDataset(root);
      expect(index.splits.training!.map((e) => e.id)).toEqual(['training/22_training']);
      expect(problemsOf(index, label).map((p) => p.code)).toEqual([
        DATASET_ERRORS.FILE_NOT_REGULAR,
      ]);
    },
    15_000,
  );

  it('a folder named like an image is DATASET_FILE_NOT_REGULAR', async () => {
    const dir = path.join(fresh(), 'folder.png');
    await mkdir(dir, { recursive: true });
    await expect(decodeFile(dir)).rejects.toMatchObject({
      code: DATASET_ERRORS.FILE_NOT_REGULAR,
      message: expect.stringContaining('is a folder'),
    });
  });

  it.skipIf(!isPosix)(
    'a link to a folder is followed as a folder (images/ linked elsewhere)',
    async () => {
      const root = fresh();
      const elsewhere = fresh();
      await writeGeneric(elsewhere, false);
      await mkdir(root);
      await symlink(path.join(elsewhere, 'images'), path.join(root, 'images'));
      await symlink(path.join(elsewhere, 'labels'), path.join(root, 'labels'));
      const index = await openDataset(root);
      expect(index.layout).toBe('generic');
      expect(allEntries(index).map((e) => e.id)).toEqual(['all/eye-a', 'all/eye-b']);
    },
  );
});

/** PNG chunk: length, type, data, CRC of type and data. */
function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid, all-black 1-bit grey PNG: 16000x16000 fits in ~35 KB, decodes to 256 MP. */
function blackPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, filter 0, no interlace
  // Every row: filter byte 0 and width/8 zero bytes.
  const raster = Buffer.alloc(height * (1 + Math.ceil(width / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raster, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

describe('sizes are checked before anything of that size is allocated', () => {
  it('the limit is MAX_IMAGE_PIXELS (8192x8192), above HRF, and VESSEL_MAX_IMAGE_PIXELS overrides it', () => {
    expect(MAX_IMAGE_PIXELS).toBe(8192 * 8192);
    expect(MAX_IMAGE_PIXELS).toBeGreaterThan(3504 * 2336 * 8);
    expect(imageLimits({})).toEqual({
      maxPixels: MAX_IMAGE_PIXELS,
      maxBytes: MAX_IMAGE_PIXELS * 8 + 16 * 2 ** 20,
    });
    expect(imageLimits({ [MAX_IMAGE_PIXELS_ENV]: ' 1000 ' }).maxPixels).toBe(1000);
    for (const bad of ['-5', '0', '1.5', 'lots']) {
      expect(() => imageLimits({ [MAX_IMAGE_PIXELS_ENV]: bad })).toThrow(
        expect.objectContaining({
          code: DATASET_ERRORS.BAD_CONFIG,
          message: expect.stringContaining(MAX_IMAGE_PIXELS_ENV),
        }),
      );
    }
  });

  it('a valid 16000x16000 PNG is refused from its header, by decode and by headers-only reads', async () => {
    const file = path.join(fresh(), 'huge.png');
    await mkdir(path.dirname(file));
    await writeFile(file, blackPng(16000, 16000));
    expect(await sharp(file).metadata()).toMatchObject({ width: 16000, height: 16000 });
    for (const read of [decodeFile, readImageSize]) {
      const started = performance.now();
      await expect(read(file)).rejects.toMatchObject({
        code: DATASET_ERRORS.IMAGE_TOO_LARGE,
        message: expect.stringMatching(/16000x16000 .*VESSEL_MAX_IMAGE_PIXELS/s),
      });
      // Decoding 256 MP takes seconds; the header alone takes milliseconds.
      expect(performance.now() - started).toBeLessThan(1000);
    }
    // Raised through the environment, the same file passes the header check.
    process.env[MAX_IMAGE_PIXELS_ENV] = String(16000 * 16000);
    expect(await readImageSize(file)).toEqual({ width: 16000, height: 16000 });
  });

  it('a huge PPM header is refused before its raster is allocated', async () => {
    const file = path.join(fresh(), 'huge.ppm');
    await mkdir(path.dirname(file));
    await writeFile(file, 'P6\n20000 20000\n255\n');
    for (const read of [decodeFile, readImageSize]) {
      await expect(read(file)).rejects.toMatchObject({
        code: DATASET_ERRORS.IMAGE_TOO_LARGE,
        message: expect.stringContaining('20000x20000'),
      });
    }
  });

  it('a gzip bomb stops at the output cap (DATASET_IMAGE_TOO_LARGE), in an opened STARE-like set', async () => {
    process.env[MAX_IMAGE_PIXELS_ENV] = '2000';
    const root = fresh();
    const image = syntheticFundus(0);
    // A small valid PPM followed by 48 MiB of zeros: harmless once read, but over the cap.
    const ppm = netpbmBytes(image.width, image.height, image.rgb, 3);
    const unpacked = 48 * 2 ** 20;
    const bomb = gzipSync(Buffer.concat([ppm, Buffer.alloc(unpacked)]), { level: 9 });
    await writeRgb(path.join(root, 'stare-images', 'im0001.ppm.gz'), image, 'ppm.gz');
    await writeRgb(path.join(root, 'labels-ah', 'im0001.ah.ppm.gz'), image, 'ppm.gz');
    const bombFile = path.join(root, 'stare-images', 'im0002.ppm.gz');
    await writeFile(bombFile, bomb);
    await writeRgb(path.join(root, 'labels-ah', 'im0002.ah.ppm.gz'), image, 'ppm.gz');
    const index = await openDataset(root);
    expect(index.splits.all!.map((e) => e.id)).toEqual(['all/im0001']);
    expect(problemsOf(index, bombFile)).toEqual([
      expect.objectContaining({
        code: DATASET_ERRORS.IMAGE_TOO_LARGE,
        message: expect.stringContaining('once gunzipped'),
      }),
    ]);
    // 2000 pixels allow 16 MiB (the metadata room) and 16000 bytes; the bomb is 100x smaller.
    expect(unpacked).toBeGreaterThan(2 * imageLimits().maxBytes);
    expect(bomb.length).toBeLessThan(imageLimits().maxBytes / 100);
  });
});

describe('labels', () => {
  it('red vessels on black (an RGB label) read as vessels, not as an empty label', async () => {
    const root = fresh();
    await writeGeneric(root, false);
    const truth = syntheticFundus(0);
    const red = new Uint8Array(truth.label.length * 3);
    for (let i = 0; i < truth.label.length; i++) if (truth.label[i]) red[3 * i] = 255;
    await writeRgb(path.join(root, 'labels', 'eye-a.png'), { ...truth, rgb: red }, 'png');
    const index = await openDataset(root);
    const entry = index.splits.all!.find((e) => e.name === 'eye-a')!;
    const label = await loadLabel(entry);
    expect(label.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(label).toEqual(truth.label);
  });
});

const asRoot = isPosix && process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * Runs `task` as a user without rights to a chmod 000 file. Root ignores permissions, so as root
 * the effective uid drops to nobody for the task (glibc applies seteuid to every thread, libuv's
 * pool included) and comes back after: the EACCES is the kernel's own, not a simulation.
 */
async function withoutRoot<T>(task: () => Promise<T>): Promise<T> {
  if (!asRoot) return task();
  process.seteuid!(NOBODY);
  try {
    return await task();
  } finally {
    process.seteuid!(0);
  }
}

describe('permissions', () => {
  it.skipIf(!isPosix)(
    'EACCES on a file is DATASET_FILE_UNREADABLE: permissions, not corruption',
    async () => {
      const { root, target: label } = await driveWith('test', '1st_manual', '02_manual1.gif');
      await chmod(label, 0o000);
      const index = await withoutRoot(() => openDataset(root));
      expect(index.splits.test!.map((e) => e.id)).toEqual(['test/01_test']);
      const [problem] = problemsOf(index, label);
      expect(problem!.code).toBe(DATASET_ERRORS.FILE_UNREADABLE);
      expect(problem!.message).toContain(label);
      expect(problem!.message).toMatch(/permission denied \(EACCES\).*chmod/s);
      expect(problem!.message).not.toMatch(/corrupt|replace it/);
    },
  );

  it.skipIf(!isPosix)(
    'an unreadable subfolder is DATASET_FOLDER_UNREADABLE naming it, not an uncoded error',
    async () => {
      const { root, target: masks } = await driveWith('test', 'mask');
      await chmod(masks, 0o000);
      let error: unknown;
      try {
        await withoutRoot(() => openDataset(root));
      } catch (caught) {
        error = caught;
      } finally {
        await chmod(masks, 0o755);
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: DATASET_ERRORS.FOLDER_UNREADABLE,
        message: expect.stringMatching(/test\/mask cannot be read: permission denied \(EACCES\)/),
      });
      expect((error as AppError).message).toContain(masks);
    },
  );
});
