/**
 * Layout detection: which public retinal set (or the generic layout) a folder holds, and which
 * files belong together. Only file names are looked at here; `openDataset` decodes and checks.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { DATASET_ERRORS } from './errors';
import type { DatasetProblem, LayoutName, Observer, SplitName } from './types';

/** An image with the files that should go with it, before decoding. */
export interface Candidate {
  split: SplitName;
  name: string;
  imagePath: string;
  labelPaths: Partial<Record<Observer, string>>;
  /** Null when the layout ships no FOV masks or this image's mask is missing. */
  fovPath: string | null;
}

export interface Discovery {
  layout: LayoutName;
  /** Split folders found, each with its candidates (possibly none). */
  splits: { split: SplitName; folder: string; candidates: Candidate[] }[];
  problems: DatasetProblem[];
}

const IMAGE_EXTENSIONS = /\.(tiff?|gif|png|jpe?g|ppm|pgm|bmp)(\.gz)?$/i;

/** What the layouts look for, listed in DATASET_NO_LAYOUT so a person can rename folders to match. */
export const LAYOUTS_LOOKED_FOR = [
  'DRIVE: training/ and/or test/ each with images/ plus 1st_manual/ (2nd_manual/, mask/), or one such folder alone',
  'STARE: stare-images/ with labels-ah/ and/or labels-vk/ (.ppm or .ppm.gz)',
  'CHASE_DB1: Image_01L.jpg with Image_01L_1stHO.png (and _2ndHO.png) in one folder',
  'HRF: images/ with manual1/ (and mask/)',
  'generic: images/ with labels/ (and masks/), matched by file stem; or training/ and test/ holding those',
];

/** A folder that becomes one split, with its listing. */
interface SplitFolder {
  split: SplitName;
  folder: string;
  listing: Listing;
}

/** Finds the candidates of one split folder, adding what is missing to `problems`. */
type SplitDiscoverer = (
  folder: string,
  listing: Listing,
  split: SplitName,
  problems: DatasetProblem[],
) => Promise<Candidate[]>;

interface Listing {
  dirs: Map<string, string>; // lower-case name -> real name
  files: string[];
}

/** The error for a folder that cannot be listed, naming it; permissions say what to fix. */
function folderUnreadable(folder: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const advice =
    code === 'EACCES' || code === 'EPERM'
      ? `permission denied (${code}): fix its permissions (e.g. chmod u+rx "${folder}", or ask its owner) and open the dataset again.`
      : `(${code}): check that it is a folder you can read.`;
  return new AppError(
    DATASET_ERRORS.FOLDER_UNREADABLE,
    `The folder ${folder} cannot be read: ${advice}`,
    {
      file: folder,
    },
  );
}

/** A link's target is a folder (stat follows the link and opens nothing). */
async function linksToFolder(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}

/** Lists a folder; throws DATASET_FOLDER_UNREADABLE naming it when it cannot be listed. */
async function listFolder(folder: string): Promise<Listing> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw folderUnreadable(folder, error);
  }
  const dirs = new Map<string, string>();
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const isFolder =
      e.isDirectory() || (e.isSymbolicLink() && (await linksToFolder(path.join(folder, e.name))));
    if (isFolder) dirs.set(e.name.toLowerCase(), e.name);
    // FIFOs, devices and sockets are listed too: decodeFile reads only regular files and reports
    // the rest as DATASET_FILE_NOT_REGULAR, so a file named like an image never vanishes unlisted.
    else files.push(e.name);
  }
  files.sort();
  return { dirs, files };
}

async function imageFiles(folder: string): Promise<string[]> {
  return (await listFolder(folder)).files.filter((f) => IMAGE_EXTENSIONS.test(f));
}

/** A file's stem: the name without its image extension (and .gz). */
export function stemOf(file: string): string {
  return file.replace(IMAGE_EXTENSIONS, '');
}

function leadingNumber(file: string): string | null {
  const m = /^(\d+)/.exec(file);
  return m ? String(Number(m[1])) : null;
}

function missing(code: string, file: string, message: string): DatasetProblem {
  return { code, file, message };
}

/** A DRIVE split folder: images/ beside 1st_manual/ or 2nd_manual/ (mask/ alone is HRF's too). */
function isDriveSplit(listing: Listing): boolean {
  return (
    listing.dirs.has('images') && (listing.dirs.has('1st_manual') || listing.dirs.has('2nd_manual'))
  );
}

function isGenericSplit(listing: Listing): boolean {
  return listing.dirs.has('images') && listing.dirs.has('labels');
}

function splitFromName(folder: string): SplitName {
  const base = path.basename(folder).toLowerCase();
  if (base === 'training' || base === 'train') return 'training';
  if (base === 'test' || base === 'testing') return 'test';
  return 'all';
}

async function discoverDriveSplit(
  folder: string,
  listing: Listing,
  split: SplitName,
  problems: DatasetProblem[],
): Promise<Candidate[]> {
  const sub = (name: string) =>
    listing.dirs.has(name) ? path.join(folder, listing.dirs.get(name)!) : null;
  const byNumber = async (dir: string | null) => {
    const map = new Map<string, string>();
    if (dir === null) return map;
    for (const f of await imageFiles(dir)) {
      const n = leadingNumber(f);
      if (n !== null) map.set(n, path.join(dir, f));
    }
    return map;
  };
  const imagesDir = sub('images')!;
  const manual1Dir = sub('1st_manual');
  const manual2Dir = sub('2nd_manual');
  const maskDir = sub('mask');
  const [manual1, manual2, masks] = await Promise.all([
    byNumber(manual1Dir),
    byNumber(manual2Dir),
    byNumber(maskDir),
  ]);
  const candidates: Candidate[] = [];
  for (const file of await imageFiles(imagesDir)) {
    const n = leadingNumber(file);
    const imagePath = path.join(imagesDir, file);
    const num = n === null ? '' : String(n).padStart(2, '0');
    const labelPaths: Partial<Record<Observer, string>> = {};
    const label1 = n === null ? undefined : manual1.get(n);
    if (label1) labelPaths['1st'] = label1;
    else {
      const expected = path.join(
        manual1Dir ?? path.join(folder, '1st_manual'),
        `${num}_manual1.gif`,
      );
      problems.push(
        missing(
          DATASET_ERRORS.LABEL_MISSING,
          imagePath,
          `${imagePath} has no first-observer label (looked for ${expected}): add that file, or remove the image; it is left out until then.`,
        ),
      );
    }
    const label2 = n === null ? undefined : manual2.get(n);
    if (label2) labelPaths['2nd'] = label2;
    else if (manual2Dir !== null) {
      const expected = path.join(manual2Dir, `${num}_manual2.gif`);
      problems.push(
        missing(
          DATASET_ERRORS.LABEL_MISSING,
          imagePath,
          `${imagePath} has no second-observer label (looked for ${expected}): add it to compare with the second observer.`,
        ),
      );
    }
    let fovPath: string | null = null;
    const mask = n === null ? undefined : masks.get(n);
    if (mask) fovPath = mask;
    else if (maskDir !== null) {
      const expected = path.join(maskDir, `${stemOf(file)}_mask.gif`);
      problems.push(
        missing(
          DATASET_ERRORS.MASK_MISSING,
          imagePath,
          `${imagePath} has no FOV mask (looked for ${expected}): a FOV is derived from the image instead; add the mask to use the official one.`,
        ),
      );
    }
    if (!labelPaths['1st']) continue;
    candidates.push({ split, name: stemOf(file), imagePath, labelPaths, fovPath });
  }
  return candidates;
}

/** A layout whose images are matched by name to labels and FOV masks in sibling folders. */
interface MatchedFolders {
  images: string;
  labels: string;
  /** Names the mask folder may have, first found first; with none of them, there are no masks. */
  masks: readonly string[];
  /** The key of an image's or a label's stem, which an image's label and mask are found by. */
  keyOf: (stem: string) => string;
  /** The key of a mask's stem. */
  maskKeyOf: (stem: string) => string;
  noLabel: (imagePath: string, name: string, labelsDir: string) => string;
  noMask: (imagePath: string, name: string, masksDir: string) => string;
}

/** The image files of a folder by the key keyOf makes of each stem. */
async function imageFilesByKey(
  dir: string,
  keyOf: (stem: string) => string,
): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const f of await imageFiles(dir)) map.set(keyOf(stemOf(f)), path.join(dir, f));
  return map;
}

/**
 * Discovery for a layout of matched folders: an image without a label is left out, one without
 * a mask (where there is a mask folder) gets a derived FOV, and each of those is a problem.
 */
function matchedFolders(folders: MatchedFolders): SplitDiscoverer {
  return async (root, listing, split, problems) => {
    const imagesDir = path.join(root, listing.dirs.get(folders.images)!);
    const labelsDir = path.join(root, listing.dirs.get(folders.labels)!);
    const masksName = folders.masks
      .map((name) => listing.dirs.get(name))
      .find((name) => name !== undefined);
    const masksDir = masksName ? path.join(root, masksName) : null;
    const [labels, masks] = await Promise.all([
      imageFilesByKey(labelsDir, folders.keyOf),
      masksDir === null ? null : imageFilesByKey(masksDir, folders.maskKeyOf),
    ]);
    const candidates: Candidate[] = [];
    for (const file of await imageFiles(imagesDir)) {
      const name = stemOf(file);
      const imagePath = path.join(imagesDir, file);
      const key = folders.keyOf(name);
      const label = labels.get(key);
      if (!label) {
        problems.push(
          missing(
            DATASET_ERRORS.LABEL_MISSING,
            imagePath,
            folders.noLabel(imagePath, name, labelsDir),
          ),
        );
        continue;
      }
      let fovPath: string | null = null;
      if (masks !== null) {
        fovPath = masks.get(key) ?? null;
        if (fovPath === null)
          problems.push(
            missing(
              DATASET_ERRORS.MASK_MISSING,
              imagePath,
              folders.noMask(imagePath, name, masksDir!),
            ),
          );
      }
      candidates.push({ split, name, imagePath, labelPaths: { '1st': label }, fovPath });
    }
    return candidates;
  };
}

const stemItself = (stem: string) => stem;

/** Generic split: images/ with labels/ (and masks/), all matched by stem. */
const discoverGenericSplit = matchedFolders({
  images: 'images',
  labels: 'labels',
  masks: ['masks', 'mask'],
  keyOf: stemItself,
  maskKeyOf: stemItself,
  noLabel: (imagePath, name, labelsDir) =>
    `${imagePath} has no label: add ${path.join(labelsDir, `${name}.png`)} (same stem, any supported format); the image is left out until then.`,
  noMask: (imagePath, name, masksDir) =>
    `${imagePath} has no FOV mask (looked for ${name}.* in ${masksDir}): a FOV is derived from the image instead; add the mask to use your own.`,
});

async function discoverStare(
  root: string,
  listing: Listing,
  split: SplitName,
  problems: DatasetProblem[],
): Promise<Candidate[]> {
  const imagesDir = path.join(root, listing.dirs.get('stare-images') ?? '');
  const observers: [Observer, string, string][] = [
    ['1st', 'labels-ah', 'ah'],
    ['2nd', 'labels-vk', 'vk'],
  ];
  const labelMaps = await Promise.all(
    observers.map(async ([, dirName]) => {
      const map = new Map<string, string>();
      const real = listing.dirs.get(dirName);
      if (real)
        for (const f of await imageFiles(path.join(root, real)))
          map.set(f.split('.')[0]!, path.join(root, real, f));
      return real ? map : null;
    }),
  );
  const candidates: Candidate[] = [];
  for (const file of await imageFiles(imagesDir)) {
    const name = file.split('.')[0]!;
    const imagePath = path.join(imagesDir, file);
    const labelPaths: Partial<Record<Observer, string>> = {};
    observers.forEach(([observer, dirName, suffix], i) => {
      const map = labelMaps[i];
      if (!map) return;
      const found = map.get(name);
      if (found) labelPaths[observer] = found;
      else
        problems.push(
          missing(
            DATASET_ERRORS.LABEL_MISSING,
            imagePath,
            `${imagePath} has no label in ${dirName}/ (looked for ${name}.${suffix}.ppm or .ppm.gz): add it${observer === '1st' ? '; the image is left out until then' : ''}.`,
          ),
        );
    });
    // The first observer of STARE is Hoover (ah); with only vk present, vk is all there is.
    if (!labelPaths['1st'] && labelPaths['2nd'] && !labelMaps[0]) {
      labelPaths['1st'] = labelPaths['2nd'];
      delete labelPaths['2nd'];
    }
    if (!labelPaths['1st']) continue;
    candidates.push({ split, name, imagePath, labelPaths, fovPath: null });
  }
  return candidates;
}

const CHASE_IMAGE = /^(Image_\d+[LR])\.jpe?g$/i;

async function discoverChase(
  root: string,
  listing: Listing,
  split: SplitName,
  problems: DatasetProblem[],
): Promise<Candidate[]> {
  const byLower = new Map(listing.files.map((f) => [f.toLowerCase(), f]));
  const find = (stem: string) => {
    for (const ext of ['png', 'gif', 'tif', 'jpg']) {
      const real = byLower.get(`${stem}.${ext}`.toLowerCase());
      if (real) return path.join(root, real);
    }
    return undefined;
  };
  const candidates: Candidate[] = [];
  for (const file of listing.files) {
    const m = CHASE_IMAGE.exec(file);
    if (!m) continue;
    const name = m[1]!;
    const imagePath = path.join(root, file);
    const labelPaths: Partial<Record<Observer, string>> = {};
    const first = find(`${name}_1stHO`);
    const second = find(`${name}_2ndHO`);
    if (first) labelPaths['1st'] = first;
    else
      problems.push(
        missing(
          DATASET_ERRORS.LABEL_MISSING,
          imagePath,
          `${imagePath} has no first-observer label (looked for ${path.join(root, `${name}_1stHO.png`)}): add it; the image is left out until then.`,
        ),
      );
    if (second) labelPaths['2nd'] = second;
    if (!first) continue;
    candidates.push({ split, name, imagePath, labelPaths, fovPath: null });
  }
  return candidates;
}

/** HRF: images/ with manual1/ (and mask/ of `<name>_mask` files), matched by name in any case. */
const discoverHrf = matchedFolders({
  images: 'images',
  labels: 'manual1',
  masks: ['mask'],
  keyOf: (stem) => stem.toLowerCase(),
  maskKeyOf: (stem) => stem.replace(/_mask$/i, '').toLowerCase(),
  noLabel: (imagePath, name, labelsDir) =>
    `${imagePath} has no label (looked for ${path.join(labelsDir, `${name}.tif`)}): add it; the image is left out until then.`,
  noMask: (imagePath, name, masksDir) =>
    `${imagePath} has no FOV mask (looked for ${path.join(masksDir, `${name}_mask.tif`)}): a FOV is derived from the image instead.`,
});

/**
 * Finds the layout of `root` and the files of every image; throws for a missing or unknown
 * folder. With `nested`, an unknown folder's error names any subfolder that holds a dataset.
 */
export async function discoverLayout(root: string, nested = true): Promise<Discovery> {
  let info;
  try {
    info = await stat(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError(
        DATASET_ERRORS.FOLDER_MISSING,
        `The folder ${root} does not exist: check the path, or choose the folder that holds the dataset.`,
        { file: root },
      );
    }
    throw new AppError(
      DATASET_ERRORS.FOLDER_UNREADABLE,
      `The folder ${root} cannot be read (${code ?? 'error'}): check its permissions.`,
      { file: root },
    );
  }
  if (!info.isDirectory()) {
    throw new AppError(
      DATASET_ERRORS.FOLDER_UNREADABLE,
      `${root} is a file, not a folder: choose the folder that holds the dataset.`,
      { file: root },
    );
  }
  const listing = await listFolder(root);
  const problems: DatasetProblem[] = [];
  const collect = async (layout: LayoutName, found: SplitFolder[], discover: SplitDiscoverer) => {
    const splits: Discovery['splits'] = [];
    for (const { split, folder, listing: l } of found) {
      splits.push({ split, folder, candidates: await discover(folder, l, split, problems) });
    }
    return { layout, splits, problems };
  };
  const here: SplitFolder[] = [{ split: 'all', folder: root, listing }];

  // DRIVE root, or a root of generic training/ and test/ folders.
  const splitFolders: SplitFolder[] = [];
  for (const [lower, split] of [
    ['training', 'training'],
    ['train', 'training'],
    ['test', 'test'],
    ['testing', 'test'],
  ] as const) {
    const real = listing.dirs.get(lower);
    if (real) {
      const folder = path.join(root, real);
      splitFolders.push({ split, folder, listing: await listFolder(folder) });
    }
  }
  const driveSplits = splitFolders.filter((s) => isDriveSplit(s.listing));
  if (driveSplits.length > 0) return collect('drive', driveSplits, discoverDriveSplit);
  const genericSplits = splitFolders.filter((s) => isGenericSplit(s.listing));
  if (genericSplits.length > 0) return collect('generic', genericSplits, discoverGenericSplit);
  const named: SplitFolder[] = [{ split: splitFromName(root), folder: root, listing }];
  if (isDriveSplit(listing)) return collect('drive', named, discoverDriveSplit);
  if (listing.dirs.has('stare-images')) return collect('stare', here, discoverStare);
  if (listing.files.some((f) => CHASE_IMAGE.test(f))) return collect('chase', here, discoverChase);
  if (listing.dirs.has('images') && listing.dirs.has('manual1'))
    return collect('hrf', here, discoverHrf);
  if (isGenericSplit(listing)) return collect('generic', named, discoverGenericSplit);
  // A person often picks the folder above the dataset: name the subfolders that would open.
  const inside: string[] = [];
  if (nested) {
    for (const real of listing.dirs.values()) {
      const sub = path.join(root, real);
      try {
        const found = await discoverLayout(sub, false);
        inside.push(`${sub} (${found.layout})`);
      } catch {
        // not a dataset either
      }
    }
  }
  const hint =
    inside.length > 0
      ? `\nThese folders inside it hold datasets; open one of them: ${inside.join(', ')}.`
      : '\nArrange the folder like one of these (the generic one fits your own data).';
  throw new AppError(
    DATASET_ERRORS.NO_LAYOUT,
    `No known dataset layout in ${root}. Looked for:\n  - ${LAYOUTS_LOOKED_FOR.join('\n  - ')}${hint}`,
    { file: root, lookedFor: LAYOUTS_LOOKED_FOR, datasetsInside: inside },
  );
}
