/**
 * Every error code that can reach a front end, declared once. Engine, compute and shell modules
 * throw `new AppError(TABLE.KEY, message)` with these tables (made by codeTable below); the
 * requests of the contract name the codes they may return beyond the common ones (see `request`
 * in define.ts), and the typed client's results carry that union, so a front end switches on
 * codes with type checking.
 * A code is a stable string: the UI, the CLI and stored run records act on it, so never rename one.
 */

/** A table of codes: constant key to its stable string. */
export type ErrorCodeTable = Readonly<Record<string, string>>;

/** The codes of one table, as a union type. */
export type CodeOf<T extends ErrorCodeTable> = T[keyof T];

/**
 * How a table declares one code: what it means, or, for a code that does not read as the
 * table's prefix and the key, the code spelled out with what it means.
 */
type CodeEntry = string | { readonly code: string; readonly about: string };

/** The code an entry stands for: its own, else the prefix and the key (the key if no prefix). */
type EntryCode<P extends string, K extends string, E> = E extends { readonly code: infer C }
  ? C
  : P extends ''
    ? K
    : `${P}_${K}`;

/** The table codeTable makes: each key typed with its literal code. */
type CodeTable<P extends string, D> = { readonly [K in keyof D]: EntryCode<P, K & string, D[K]> };

/**
 * Builds a table from its entries, so a code's key is written once rather than again inside its
 * string: `codeTable('STUDIO', { NOT_OPEN: 'No dataset or project is open.' })` is
 * `{ NOT_OPEN: 'STUDIO_NOT_OPEN' }`, typed as that literal. Each entry says what its code
 * means, where the code is declared.
 */
function codeTable<const P extends string, const D extends Readonly<Record<string, CodeEntry>>>(
  prefix: P,
  entries: D,
): CodeTable<P, D> {
  return Object.fromEntries(
    Object.entries(entries).map(([key, entry]) => [
      key,
      typeof entry === 'string' ? (prefix === '' ? key : `${prefix}_${key}`) : entry.code,
    ]),
  ) as CodeTable<P, D>;
}

/** Codes any request may return; the contract never needs to list them. */
export const COMMON_ERROR_CODES = codeTable('', {
  BAD_INPUT: "The input does not match the request's schema (details holds the zod issues).",
  UNKNOWN_REQUEST:
    'The request name is not in the contract: the client and the engine builds disagree.',
  FORBIDDEN: 'The caller may not make this request (a page outside the app, a missing token).',
  NOT_FOUND: 'Something the request names does not exist.',
  CANCELLED: 'The work was cancelled before it finished.',
  TRANSPORT:
    'The request did not reach the engine or its answer did not come back (IPC, WebSocket).',
  INTERNAL: 'An unexpected failure inside the engine: a bug, reported with its message.',
});
export type CommonErrorCode = CodeOf<typeof COMMON_ERROR_CODES>;

/** The folder browser, typed paths and Export. */
export const FILES_ERROR_CODES = codeTable('FILES', {
  NOT_FOUND: 'Nothing exists at the path.',
  NOT_A_FOLDER: 'The path is a file where a folder is needed.',
  PERMISSION_DENIED: "The folder or file cannot be read (or written) by the engine's user.",
  UNREADABLE: 'Another error from the file system (a loop of links, a name too long, a full disk).',
  NOTHING_TO_EXPORT:
    'An export was asked for with no project open, or with nothing of that kind to write.',
});

/** Reading a dataset folder and its images. */
export const DATASET_ERROR_CODES = codeTable('DATASET', {
  FOLDER_MISSING: 'The folder given does not exist.',
  FOLDER_UNREADABLE: 'The folder exists but cannot be listed (permissions, or it is a file).',
  NO_LAYOUT: 'None of the known layouts matches the folder.',
  LABEL_MISSING: 'An image has no label file (of an observer the set provides).',
  MASK_MISSING: 'The set ships FOV masks but this image has none (a FOV is derived instead).',
  FILE_CORRUPT: 'A file cannot be read or decoded: corrupt, truncated, or not an image.',
  FILE_UNREADABLE:
    'A file is there but this user may not read it (EACCES, EPERM): fix its permissions.',
  FILE_NOT_REGULAR:
    'A name that looks like an image is a FIFO, device, socket or folder (or a link to one).',
  IMAGE_TOO_LARGE: 'An image holds more pixels than the limit (see MAX_IMAGE_PIXELS in decode.ts).',
  SIZE_MISMATCH: 'An image and its label or mask differ in size.',
  SPLIT_EMPTY: 'A split folder holds no usable image.',
  NO_USABLE_IMAGES: 'Not one usable image in the whole folder.',
  BAD_CONFIG: 'The sampler or preprocessing was given something it cannot work with.',
});

/** The .vessel project file: corrections, revisions, runs, model versions, evaluations. */
export const PROJECT_ERROR_CODES = codeTable('PROJECT', {
  NOT_FOUND: 'The project file cannot be opened at that path.',
  EXISTS: 'A new project was asked for where a file already exists.',
  LOCKED: 'Another process has the project open for writing.',
  READ_ONLY: 'The project is open read-only, so it cannot be changed.',
  TOO_NEW: 'The project was written by a newer Vessel Studio.',
  NEEDS_UPGRADE: 'The project uses an older schema and must be opened for writing once to upgrade.',
  CORRUPT: 'The file or a record inside it is damaged.',
  NOT_A_PROJECT: 'An SQLite file that is not a Vessel Studio project.',
  CLOSED: 'The project was closed before the request reached it.',
  BAD_INPUT:
    'A value given to the project is not usable (a non-empty export folder, a moved root that is a file).',
  BAD_MASK: 'A mask of the wrong size or encoding.',
  BAD_MODEL: "A model version's files are not a usable model.",
  BAD_RUN_STATE: 'A run was moved to a status its current one does not allow.',
  UNKNOWN_IMAGE: 'The project has no image with that key.',
  UNKNOWN_REVISION: "The revision is not one of that image's.",
  UNKNOWN_MODEL: 'The project has no model version with that id.',
  MODEL_DELETED: 'The model version was deleted and its weights are gone.',
  UNKNOWN_RUN: 'The project has no run with that id.',
  UNKNOWN_EVALUATION: 'The project has no evaluation with that id.',
  FILE_OUTSIDE_ROOT: 'An image file lies outside the dataset folder.',
  IMAGE_FILE_UNREADABLE: "An image file of the project's dataset cannot be read.",
  HARD_LINKED: 'The project file has several hard links, so two names could edit it at once.',
  REVISION_DAMAGED: 'One stored mask revision is damaged.',
  DAMAGED_REVISIONS: 'The integrity check found damaged revisions.',
  FILE_READ_ONLY: "The project's folder is read-only, so its lock file cannot be written.",
  DISK_FULL: 'The disk is full: the last change was not saved.',
  BACKUP_UNREADABLE: 'A backup of the project cannot be opened.',
});

/** The studio session: the open dataset and project. */
export const STUDIO_ERROR_CODES = codeTable('STUDIO', {
  NOT_OPEN: 'No dataset or project is open.',
  UNKNOWN_IMAGE: 'The open dataset has no image with that id.',
  MASK_SIZE: "A saved mask is not a readable PNG of the image's size.",
  DATASET_MISMATCH: 'The project belongs to another dataset folder than the one given.',
});

/** Model folders (model.json, weights.bin, vessel.json). */
export const MODEL_ERROR_CODES = codeTable('MODEL', {
  NOT_FOUND: 'The folder holds no model.',
  CORRUPT: 'A model file is damaged.',
  TOO_NEW: 'The model was written by a newer Vessel Studio.',
  DIR_NOT_EMPTY: 'Saving was asked into a folder that holds other files.',
  SAVE_FAILED: 'The model could not be written.',
  CONFIG_INVALID: 'A model configuration that does not describe a buildable network.',
  MISMATCH: 'Models asked to be averaged are not the same network.',
});

/** The model shipped with the app, given to a project that has none. */
export const BUNDLED_MODEL_ERROR_CODES = codeTable('MODEL_BUNDLED', {
  MISSING: "The bundled model's files are missing from the app's resources.",
  BROKEN: "The bundled model's files are there but unusable.",
});

/** The engine's training, models and evaluation requests. */
export const TRAINING_ERROR_CODES = codeTable('TRAINING', {
  BUSY: 'A run is already in progress.',
  MODEL_ACTIVE: { code: 'MODEL_ACTIVE', about: 'The active model version cannot be deleted.' },
  NO_EVALUATION: {
    code: 'EVALUATION_MISSING',
    about: 'A comparison needs an evaluation (or a baseline) that does not exist.',
  },
  NOTHING_TO_FINE_TUNE:
    'A quick fine-tune with no corrected training image, or no model to fine-tune.',
  NO_TEST: { code: 'EVALUATION_NO_TEST', about: 'The dataset has no test split to evaluate on.' },
});

/** Training in the compute process; a run that fails later reports these in its state. */
export const TRAIN_ERROR_CODES = codeTable('TRAIN', {
  DIVERGED: 'The loss became NaN or exploded.',
  NO_IMAGES: 'No images outside the test split to train on.',
  BAD_IMAGE: "A training image's files disagree (sizes, channels).",
  BAD_FILES: 'A file outside the test split is unusable and skipBad was not given.',
  BAD_OPTIONS: 'Training options that cannot work (patch size, batch, epochs).',
  NO_CHECKPOINT: 'Resume was asked where no epoch finished.',
  BAD_CHECKPOINT: 'The checkpoint belongs to another run or dataset.',
});

/** Evaluation figures (metrics of probability maps against labels). */
export const METRICS_ERROR_CODES = codeTable('METRICS', {
  SIZE_MISMATCH: 'A probability map and its image or label differ in size.',
  PREDICTION_UNREADABLE: 'A probability map file cannot be read as a PNG.',
  PREDICTIONS_NOT_FOUND: 'The predictions folder does not exist or cannot be read.',
  PREDICTIONS_MISSING: 'Some images of the split have no probability map.',
  DOWNSAMPLE_AREA: "A curve's downsampling moved its area more than allowed (a bug).",
  NO_FOV: 'A FOV evaluation of an image that has no FOV mask.',
  REGION_MISMATCH: 'A FOV mask given for a whole-image evaluation.',
  NO_IMAGES: 'No images to evaluate.',
  NO_TRAINING_IMAGES: 'No training images to choose a threshold on.',
  THRESHOLD_ON_TEST: 'A threshold was to be chosen on a test image.',
  NO_POSITIVES: 'The training labels hold no vessel pixel, so no threshold can be chosen.',
  NO_LABELS: 'An image has no manual of the chosen observer.',
  SPLIT_MISSING: 'The dataset has no usable images in the split asked for.',
  BAD_FILES: 'Files of the split are unusable.',
  BAD_PROBABILITY: 'A probability is NaN or outside [0, 1].',
  TOO_MANY_IMAGES: 'More images in one evaluation than the ranking can hold.',
});

/** The compute process and its host. */
export const COMPUTE_ERROR_CODES = codeTable('COMPUTE', {
  CRASHED: 'The process exited or was killed while requests were pending.',
  START_FAILED: 'The process did not come up (bad module path, syntax error, missing loader).',
  DISPOSED: 'The host was disposed while requests were pending.',
  UNKNOWN_METHOD: 'The worker does not know this method: the host and worker builds disagree.',
  GRADIENT_WORKER_FAILED:
    'A data-parallel gradient worker thread failed to start or died during a step.',
});

/** The compute backend ladder (tensorflow-gpu, webgpu, tensorflow, wasm, cpu). */
export const BACKEND_ERROR_CODES = codeTable('COMPUTE', {
  NO_BACKEND: 'No backend of the ladder could start.',
  BAD_BACKEND_NAME: 'VESSEL_BACKEND or --backend names no backend of the ladder.',
});

/** The webgpu backend's device. */
export const GPU_ERROR_CODES = codeTable('COMPUTE_GPU', {
  DEVICE_LOST: 'The device was lost (driver reset, GPU removed, another process took it).',
  OUT_OF_MEMORY:
    "A buffer could not be allocated: the batch or image does not fit the GPU's memory.",
  GPU_ERROR: {
    code: 'COMPUTE_GPU_ERROR',
    about: "The driver refused a kernel or buffer (a bug of ours or the driver's).",
  },
});

/** Prediction of one image or a dataset in the compute process. */
export const INFER_ERROR_CODES = codeTable('COMPUTE', {
  BAD_IMAGE: 'An image whose pixels or FOV do not match its size.',
  INPUT_MISMATCH: 'The image has another number of channels than the model takes.',
  TILE_TOO_SMALL: 'The image cannot be tiled with the tile size given.',
  SHAPE_MISMATCH: "The model's output is not the size its configuration promises.",
  BAD_OPTIONS: 'Prediction options that do not fit the model (tiling, patches, overlap).',
  UNKNOWN_IMAGE: 'A dataset prediction named an image the dataset does not have.',
  // Scale-aware inference (rescale.ts):
  BAD_SCALE: 'A scale setting that is not auto, off or a factor within the limits.',
});

/** The shell area outside native dialogs. */
export const SHELL_ERROR_CODES = codeTable('SHELL', {
  DESKTOP_ONLY: 'A desktop-only request (dialogs, recent files) made in browser mode or the CLI.',
  RECENT_NOT_PROJECT:
    'Open Recent was given something that is not an absolute path to a .vessel file.',
});

/** The desktop app's native file dialogs. */
export const DIALOG_ERROR_CODES = codeTable('SHELL_DIALOG', {
  INVALID:
    'The dialog answered something that is not a dialog result (a platform or Electron bug).',
  BAD_PATH: 'The chosen path is relative, or several were chosen where one is expected.',
  WRONG_TYPE: "The chosen file does not have the purpose's extension.",
  NOT_FOUND: 'The chosen file or folder (or the folder to save into) does not exist.',
});

/** All the codes of one table, for a request's `errors` list: `[...codesOf(STUDIO_ERROR_CODES)]`. */
export function codesOf<T extends ErrorCodeTable>(table: T): CodeOf<T>[] {
  return Object.values(table) as CodeOf<T>[];
}

/** What any request on the open studio session may fail with (none open, unknown image, project). */
export const SESSION_ERRORS = [...codesOf(STUDIO_ERROR_CODES), ...codesOf(PROJECT_ERROR_CODES)];

/** What any request that reads the dataset's files may fail with. */
export const DATASET_READ_ERRORS = codesOf(DATASET_ERROR_CODES);

/** What any request on the open session that reads the dataset's files may fail with. */
export const SESSION_READ_ERRORS = [...SESSION_ERRORS, ...DATASET_READ_ERRORS];

/** What any request that runs a model in the compute process may fail with. */
export const COMPUTE_WORK_ERRORS = [
  ...codesOf(COMPUTE_ERROR_CODES),
  ...codesOf(BACKEND_ERROR_CODES),
  ...codesOf(GPU_ERROR_CODES),
  ...codesOf(INFER_ERROR_CODES),
  ...codesOf(MODEL_ERROR_CODES),
  ...codesOf(BUNDLED_MODEL_ERROR_CODES),
];

/**
 * Codes that reach a front end without being a request's answer; each says where it goes.
 * No request lists them (checked by errors.test.ts).
 */
export const OUTSIDE_REQUEST_ERROR_CODES = codeTable('', {
  RUN_INTERRUPTED: {
    code: 'PROJECT_RUN_INTERRUPTED',
    about:
      'Written into the record of a run still running when the app stopped; read in the run list.',
  },
  STOP_TIMEOUT: {
    code: 'TRAINING_STOP_TIMEOUT',
    about: 'The desktop app quit while a training run did not stop in time; only logged.',
  },
});

/** Every table by area, for the contract's tests and for tools that list codes. */
export const ERROR_CODE_TABLES = {
  common: COMMON_ERROR_CODES,
  files: FILES_ERROR_CODES,
  dataset: DATASET_ERROR_CODES,
  project: PROJECT_ERROR_CODES,
  studio: STUDIO_ERROR_CODES,
  model: MODEL_ERROR_CODES,
  bundledModel: BUNDLED_MODEL_ERROR_CODES,
  training: TRAINING_ERROR_CODES,
  train: TRAIN_ERROR_CODES,
  metrics: METRICS_ERROR_CODES,
  compute: COMPUTE_ERROR_CODES,
  backend: BACKEND_ERROR_CODES,
  gpu: GPU_ERROR_CODES,
  infer: INFER_ERROR_CODES,
  shell: SHELL_ERROR_CODES,
  dialog: DIALOG_ERROR_CODES,
  outsideRequests: OUTSIDE_REQUEST_ERROR_CODES,
} as const satisfies Record<string, ErrorCodeTable>;

/** Any code declared in a table. */
export type ErrorCode = {
  [K in keyof typeof ERROR_CODE_TABLES]: CodeOf<(typeof ERROR_CODE_TABLES)[K]>;
}[keyof typeof ERROR_CODE_TABLES];
