/** The shapes a dataset is described by: its layout, splits, entries and the problems found. */

/** A split of a dataset. Sets that ship no split (STARE, CHASE_DB1, HRF, generic) use `all`. */
export type SplitName = 'training' | 'test' | 'all';

/** Which human observer drew a label: DRIVE's 1st_manual / 2nd_manual, STARE's ah / vk, CHASE's 1stHO / 2ndHO. */
export type Observer = '1st' | '2nd';

/** The layouts `openDataset` recognises. */
export type LayoutName = 'drive' | 'stare' | 'chase' | 'hrf' | 'generic';

/** One image of a dataset with where its labels and FOV mask live. */
export interface ImageEntry {
  /** Stable within the dataset: `<split>/<image file stem>`, e.g. `test/01_test`. */
  id: string;
  split: SplitName;
  /** The image file's stem, e.g. `01_test`. */
  name: string;
  imagePath: string;
  /** Label files by observer; an observer is absent when the set has no label of it for this image. */
  labelPaths: Partial<Record<Observer, string>>;
  /** The FOV mask file, or null when the FOV is derived from the image (see `fovDerived`). */
  fovPath: string | null;
  /** True when the set ships no usable FOV mask for this image and `loadFov` derives one. */
  fovDerived: boolean;
  width: number;
  height: number;
}

/** Something wrong with one file or folder; the rest of the dataset still opens. */
export interface DatasetProblem {
  /** Stable code, e.g. `DATASET_LABEL_MISSING`. */
  code: string;
  /** What is wrong and what to do, naming the file. */
  message: string;
  /** The file or folder concerned (absolute path). */
  file: string;
}

/** What `openDataset` found. */
export interface DatasetIndex {
  root: string;
  layout: LayoutName;
  /** Entries per split that is present; every entry here decoded and matched its label sizes. */
  splits: Partial<Record<SplitName, ImageEntry[]>>;
  /** Everything that was skipped or had to be worked around, one line each. */
  problems: DatasetProblem[];
}

/** An 8-bit RGB image, row-major HxWx3. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}
