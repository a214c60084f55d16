/** Stable error codes of the dataset area: the UI and the CLI act on these, so never rename one. */
export const DATASET_ERRORS = {
  /** The folder given does not exist. */
  FOLDER_MISSING: 'DATASET_FOLDER_MISSING',
  /** The folder exists but cannot be listed (permissions, or it is a file). */
  FOLDER_UNREADABLE: 'DATASET_FOLDER_UNREADABLE',
  /** None of the known layouts matches the folder. */
  NO_LAYOUT: 'DATASET_NO_LAYOUT',
  /** An image has no label file (of an observer the set provides). */
  LABEL_MISSING: 'DATASET_LABEL_MISSING',
  /** The set ships FOV masks but this image has none (a FOV is derived instead). */
  MASK_MISSING: 'DATASET_MASK_MISSING',
  /** A file cannot be read or decoded: corrupt, truncated, or not an image. */
  FILE_CORRUPT: 'DATASET_FILE_CORRUPT',
  /** A file is there but this user may not read it (EACCES, EPERM): fix its permissions. */
  FILE_UNREADABLE: 'DATASET_FILE_UNREADABLE',
  /** A name that looks like an image is a FIFO, device, socket or folder (or a link to one). */
  FILE_NOT_REGULAR: 'DATASET_FILE_NOT_REGULAR',
  /** An image holds more pixels than the limit (see MAX_IMAGE_PIXELS in decode.ts). */
  IMAGE_TOO_LARGE: 'DATASET_IMAGE_TOO_LARGE',
  /** An image and its label or mask differ in size. */
  SIZE_MISMATCH: 'DATASET_SIZE_MISMATCH',
  /** A split folder holds no usable image. */
  SPLIT_EMPTY: 'DATASET_SPLIT_EMPTY',
  /** Not one usable image in the whole folder. */
  NO_USABLE_IMAGES: 'DATASET_NO_USABLE_IMAGES',
  /** The sampler or preprocessing was given something it cannot work with. */
  BAD_CONFIG: 'DATASET_BAD_CONFIG',
} as const;

export type DatasetErrorCode = (typeof DATASET_ERRORS)[keyof typeof DATASET_ERRORS];
