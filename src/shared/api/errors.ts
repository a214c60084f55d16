/**
 * Every error code that can reach a front end, declared once. Engine, compute and shell modules
 * throw `new AppError(TABLE.KEY, message)` with these tables; the requests of the contract name
 * the codes they may return beyond the common ones (see `request` in define.ts), and the typed
 * client's results carry that union, so a front end switches on codes with type checking.
 * A code is a stable string: the UI, the CLI and stored run records act on it, so never rename one.
 */

/** A table of codes: constant key to its stable string. */
export type ErrorCodeTable = Readonly<Record<string, string>>;

/** The codes of one table, as a union type. */
export type CodeOf<T extends ErrorCodeTable> = T[keyof T];

/** Codes any request may return; the contract never needs to list them. */
export const COMMON_ERROR_CODES = {
  /** The input does not match the request's schema (details holds the zod issues). */
  BAD_INPUT: 'BAD_INPUT',
  /** The request name is not in the contract: the client and the engine builds disagree. */
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  /** The caller may not make this request (a page outside the app, a missing token). */
  FORBIDDEN: 'FORBIDDEN',
  /** Something the request names does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** The work was cancelled before it finished. */
  CANCELLED: 'CANCELLED',
  /** The request did not reach the engine or its answer did not come back (IPC, WebSocket). */
  TRANSPORT: 'TRANSPORT',
  /** An unexpected failure inside the engine: a bug, reported with its message. */
  INTERNAL: 'INTERNAL',
} as const;
export type CommonErrorCode = CodeOf<typeof COMMON_ERROR_CODES>;

/** The folder browser, typed paths and Export. */
export const FILES_ERROR_CODES = {
  /** Nothing exists at the path. */
  NOT_FOUND: 'FILES_NOT_FOUND',
  /** The path is a file where a folder is needed. */
  NOT_A_FOLDER: 'FILES_NOT_A_FOLDER',
  /** The folder or file cannot be read (or written) by the engine's user. */
  PERMISSION_DENIED: 'FILES_PERMISSION_DENIED',
  /** Another error from the file system (a loop of links, a name too long, a full disk). */
  UNREADABLE: 'FILES_UNREADABLE',
  /** An export was asked for with no project open, or with nothing of that kind to write. */
  NOTHING_TO_EXPORT: 'FILES_NOTHING_TO_EXPORT',
} as const;

/** Reading a dataset folder and its images. */
export const DATASET_ERROR_CODES = {
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

/** The .vessel project file: corrections, revisions, runs, model versions, evaluations. */
export const PROJECT_ERROR_CODES = {
  /** The project file cannot be opened at that path. */
  NOT_FOUND: 'PROJECT_NOT_FOUND',
  /** A new project was asked for where a file already exists. */
  EXISTS: 'PROJECT_EXISTS',
  /** Another process has the project open for writing. */
  LOCKED: 'PROJECT_LOCKED',
  /** The project is open read-only, so it cannot be changed. */
  READ_ONLY: 'PROJECT_READ_ONLY',
  /** The project was written by a newer Vessel Studio. */
  TOO_NEW: 'PROJECT_TOO_NEW',
  /** The project uses an older schema and must be opened for writing once to upgrade. */
  NEEDS_UPGRADE: 'PROJECT_NEEDS_UPGRADE',
  /** The file or a record inside it is damaged. */
  CORRUPT: 'PROJECT_CORRUPT',
  /** An SQLite file that is not a Vessel Studio project. */
  NOT_A_PROJECT: 'PROJECT_NOT_A_PROJECT',
  /** The project was closed before the request reached it. */
  CLOSED: 'PROJECT_CLOSED',
  /** A value given to the project is not usable (a non-empty export folder, a moved root that is a file). */
  BAD_INPUT: 'PROJECT_BAD_INPUT',
  /** A mask of the wrong size or encoding. */
  BAD_MASK: 'PROJECT_BAD_MASK',
  /** A model version's files are not a usable model. */
  BAD_MODEL: 'PROJECT_BAD_MODEL',
  /** A run was moved to a status its current one does not allow. */
  BAD_RUN_STATE: 'PROJECT_BAD_RUN_STATE',
  /** The project has no image with that key. */
  UNKNOWN_IMAGE: 'PROJECT_UNKNOWN_IMAGE',
  /** The revision is not one of that image's. */
  UNKNOWN_REVISION: 'PROJECT_UNKNOWN_REVISION',
  /** The project has no model version with that id. */
  UNKNOWN_MODEL: 'PROJECT_UNKNOWN_MODEL',
  /** The model version was deleted and its weights are gone. */
  MODEL_DELETED: 'PROJECT_MODEL_DELETED',
  /** The project has no run with that id. */
  UNKNOWN_RUN: 'PROJECT_UNKNOWN_RUN',
  /** The project has no evaluation with that id. */
  UNKNOWN_EVALUATION: 'PROJECT_UNKNOWN_EVALUATION',
  /** An image file lies outside the dataset folder. */
  FILE_OUTSIDE_ROOT: 'PROJECT_FILE_OUTSIDE_ROOT',
  /** An image file of the project's dataset cannot be read. */
  IMAGE_FILE_UNREADABLE: 'PROJECT_IMAGE_FILE_UNREADABLE',
  /** The project file has several hard links, so two names could edit it at once. */
  HARD_LINKED: 'PROJECT_HARD_LINKED',
  /** One stored mask revision is damaged. */
  REVISION_DAMAGED: 'PROJECT_REVISION_DAMAGED',
  /** The integrity check found damaged revisions. */
  DAMAGED_REVISIONS: 'PROJECT_DAMAGED_REVISIONS',
  /** The project's folder is read-only, so its lock file cannot be written. */
  FILE_READ_ONLY: 'PROJECT_FILE_READ_ONLY',
  /** The disk is full: the last change was not saved. */
  DISK_FULL: 'PROJECT_DISK_FULL',
  /** A backup of the project cannot be opened. */
  BACKUP_UNREADABLE: 'PROJECT_BACKUP_UNREADABLE',
} as const;

/** The studio session: the open dataset and project. */
export const STUDIO_ERROR_CODES = {
  /** No dataset or project is open. */
  NOT_OPEN: 'STUDIO_NOT_OPEN',
  /** The open dataset has no image with that id. */
  UNKNOWN_IMAGE: 'STUDIO_UNKNOWN_IMAGE',
  /** A saved mask is not a readable PNG of the image's size. */
  MASK_SIZE: 'STUDIO_MASK_SIZE',
  /** The project belongs to another dataset folder than the one given. */
  DATASET_MISMATCH: 'STUDIO_DATASET_MISMATCH',
} as const;

/** Model folders (model.json, weights.bin, vessel.json). */
export const MODEL_ERROR_CODES = {
  /** The folder holds no model. */
  NOT_FOUND: 'MODEL_NOT_FOUND',
  /** A model file is damaged. */
  CORRUPT: 'MODEL_CORRUPT',
  /** The model was written by a newer Vessel Studio. */
  TOO_NEW: 'MODEL_TOO_NEW',
  /** Saving was asked into a folder that holds other files. */
  DIR_NOT_EMPTY: 'MODEL_DIR_NOT_EMPTY',
  /** The model could not be written. */
  SAVE_FAILED: 'MODEL_SAVE_FAILED',
  /** A model configuration that does not describe a buildable network. */
  CONFIG_INVALID: 'MODEL_CONFIG_INVALID',
} as const;

/** The model shipped with the app, given to a project that has none. */
export const BUNDLED_MODEL_ERROR_CODES = {
  /** The bundled model's files are missing from the app's resources. */
  MISSING: 'MODEL_BUNDLED_MISSING',
  /** The bundled model's files are there but unusable. */
  BROKEN: 'MODEL_BUNDLED_BROKEN',
} as const;

/** The engine's training, models and evaluation requests. */
export const TRAINING_ERROR_CODES = {
  /** A run is already in progress. */
  BUSY: 'TRAINING_BUSY',
  /** The active model version cannot be deleted. */
  MODEL_ACTIVE: 'MODEL_ACTIVE',
  /** A comparison needs an evaluation (or a baseline) that does not exist. */
  NO_EVALUATION: 'EVALUATION_MISSING',
  /** A quick fine-tune with no corrected training image, or no model to fine-tune. */
  NOTHING_TO_FINE_TUNE: 'TRAINING_NOTHING_TO_FINE_TUNE',
  /** The dataset has no test split to evaluate on. */
  NO_TEST: 'EVALUATION_NO_TEST',
} as const;

/** Training in the compute process; a run that fails later reports these in its state. */
export const TRAIN_ERROR_CODES = {
  /** The loss became NaN or exploded. */
  DIVERGED: 'TRAIN_DIVERGED',
  /** No images outside the test split to train on. */
  NO_IMAGES: 'TRAIN_NO_IMAGES',
  /** A training image's files disagree (sizes, channels). */
  BAD_IMAGE: 'TRAIN_BAD_IMAGE',
  /** A file outside the test split is unusable and skipBad was not given. */
  BAD_FILES: 'TRAIN_BAD_FILES',
  /** Training options that cannot work (patch size, batch, epochs). */
  BAD_OPTIONS: 'TRAIN_BAD_OPTIONS',
  /** Resume was asked where no epoch finished. */
  NO_CHECKPOINT: 'TRAIN_NO_CHECKPOINT',
  /** The checkpoint belongs to another run or dataset. */
  BAD_CHECKPOINT: 'TRAIN_BAD_CHECKPOINT',
} as const;

/** Evaluation figures (metrics of probability maps against labels). */
export const METRICS_ERROR_CODES = {
  /** A probability map and its image or label differ in size. */
  SIZE_MISMATCH: 'METRICS_SIZE_MISMATCH',
  /** A probability map file cannot be read as a PNG. */
  PREDICTION_UNREADABLE: 'METRICS_PREDICTION_UNREADABLE',
  /** The predictions folder does not exist or cannot be read. */
  PREDICTIONS_NOT_FOUND: 'METRICS_PREDICTIONS_NOT_FOUND',
  /** Some images of the split have no probability map. */
  PREDICTIONS_MISSING: 'METRICS_PREDICTIONS_MISSING',
  /** A curve's downsampling moved its area more than allowed (a bug). */
  DOWNSAMPLE_AREA: 'METRICS_DOWNSAMPLE_AREA',
  /** A FOV evaluation of an image that has no FOV mask. */
  NO_FOV: 'METRICS_NO_FOV',
  /** A FOV mask given for a whole-image evaluation. */
  REGION_MISMATCH: 'METRICS_REGION_MISMATCH',
  /** No images to evaluate. */
  NO_IMAGES: 'METRICS_NO_IMAGES',
  /** No training images to choose a threshold on. */
  NO_TRAINING_IMAGES: 'METRICS_NO_TRAINING_IMAGES',
  /** A threshold was to be chosen on a test image. */
  THRESHOLD_ON_TEST: 'METRICS_THRESHOLD_ON_TEST',
  /** The training labels hold no vessel pixel, so no threshold can be chosen. */
  NO_POSITIVES: 'METRICS_NO_POSITIVES',
  /** An image has no manual of the chosen observer. */
  NO_LABELS: 'METRICS_NO_LABELS',
  /** The dataset has no usable images in the split asked for. */
  SPLIT_MISSING: 'METRICS_SPLIT_MISSING',
  /** Files of the split are unusable. */
  BAD_FILES: 'METRICS_BAD_FILES',
  /** A probability is NaN or outside [0, 1]. */
  BAD_PROBABILITY: 'METRICS_BAD_PROBABILITY',
  /** More images in one evaluation than the ranking can hold. */
  TOO_MANY_IMAGES: 'METRICS_TOO_MANY_IMAGES',
} as const;

/** The compute process and its host. */
export const COMPUTE_ERROR_CODES = {
  /** The process exited or was killed while requests were pending. */
  CRASHED: 'COMPUTE_CRASHED',
  /** The process did not come up (bad module path, syntax error, missing loader). */
  START_FAILED: 'COMPUTE_START_FAILED',
  /** The host was disposed while requests were pending. */
  DISPOSED: 'COMPUTE_DISPOSED',
  /** The worker does not know this method: the host and worker builds disagree. */
  UNKNOWN_METHOD: 'COMPUTE_UNKNOWN_METHOD',
  /** A data-parallel gradient worker thread failed to start or died during a step. */
  GRADIENT_WORKER_FAILED: 'COMPUTE_GRADIENT_WORKER_FAILED',
} as const;

/** The compute backend ladder (tensorflow-gpu, webgpu, tensorflow, wasm, cpu). */
export const BACKEND_ERROR_CODES = {
  /** No backend of the ladder could start. */
  NO_BACKEND: 'COMPUTE_NO_BACKEND',
  /** VESSEL_BACKEND or --backend names no backend of the ladder. */
  BAD_BACKEND_NAME: 'COMPUTE_BAD_BACKEND_NAME',
} as const;

/** The webgpu backend's device. */
export const GPU_ERROR_CODES = {
  /** The device was lost (driver reset, GPU removed, another process took it). */
  DEVICE_LOST: 'COMPUTE_GPU_DEVICE_LOST',
  /** A buffer could not be allocated: the batch or image does not fit the GPU's memory. */
  OUT_OF_MEMORY: 'COMPUTE_GPU_OUT_OF_MEMORY',
  /** The driver refused a kernel or buffer (a bug of ours or the driver's). */
  GPU_ERROR: 'COMPUTE_GPU_ERROR',
} as const;

/** Prediction of one image or a dataset in the compute process. */
export const INFER_ERROR_CODES = {
  /** An image whose pixels or FOV do not match its size. */
  BAD_IMAGE: 'COMPUTE_BAD_IMAGE',
  /** The image has another number of channels than the model takes. */
  INPUT_MISMATCH: 'COMPUTE_INPUT_MISMATCH',
  /** The image cannot be tiled with the tile size given. */
  TILE_TOO_SMALL: 'COMPUTE_TILE_TOO_SMALL',
  /** The model's output is not the size its configuration promises. */
  SHAPE_MISMATCH: 'COMPUTE_SHAPE_MISMATCH',
  /** Prediction options that do not fit the model (tiling, patches, overlap). */
  BAD_OPTIONS: 'COMPUTE_BAD_OPTIONS',
  /** A dataset prediction named an image the dataset does not have. */
  UNKNOWN_IMAGE: 'COMPUTE_UNKNOWN_IMAGE',
} as const;

/** Scale-aware inference (rescale.ts). */
export const SCALE_ERROR_CODES = {
  /** A scale setting that is not auto, off or a factor within the limits. */
  BAD_SCALE: 'COMPUTE_BAD_SCALE',
  /** An image whose FOV mask is empty, so it has no diameter to match. */
  EMPTY_FOV: 'COMPUTE_EMPTY_FOV',
} as const;

/** The shell area outside native dialogs. */
export const SHELL_ERROR_CODES = {
  /** A desktop-only request (dialogs, recent files) made in browser mode or the CLI. */
  DESKTOP_ONLY: 'SHELL_DESKTOP_ONLY',
  /** Open Recent was given something that is not an absolute path to a .vessel file. */
  RECENT_NOT_PROJECT: 'SHELL_RECENT_NOT_PROJECT',
} as const;

/** The desktop app's native file dialogs. */
export const DIALOG_ERROR_CODES = {
  /** The dialog answered something that is not a dialog result (a platform or Electron bug). */
  INVALID: 'SHELL_DIALOG_INVALID',
  /** The chosen path is relative, or several were chosen where one is expected. */
  BAD_PATH: 'SHELL_DIALOG_BAD_PATH',
  /** The chosen file does not have the purpose's extension. */
  WRONG_TYPE: 'SHELL_DIALOG_WRONG_TYPE',
  /** The chosen file or folder (or the folder to save into) does not exist. */
  NOT_FOUND: 'SHELL_DIALOG_NOT_FOUND',
} as const;

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
  ...codesOf(SCALE_ERROR_CODES),
  ...codesOf(MODEL_ERROR_CODES),
  ...codesOf(BUNDLED_MODEL_ERROR_CODES),
];

/**
 * Codes that reach a front end without being a request's answer; each says where it goes.
 * No request lists them (checked by errors.test.ts).
 */
export const OUTSIDE_REQUEST_ERROR_CODES = {
  /** Written into the record of a run still running when the app stopped; read in the run list. */
  RUN_INTERRUPTED: 'PROJECT_RUN_INTERRUPTED',
  /** The desktop app quit while a training run did not stop in time; only logged. */
  STOP_TIMEOUT: 'TRAINING_STOP_TIMEOUT',
} as const;

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
  scale: SCALE_ERROR_CODES,
  shell: SHELL_ERROR_CODES,
  dialog: DIALOG_ERROR_CODES,
  outsideRequests: OUTSIDE_REQUEST_ERROR_CODES,
} as const satisfies Record<string, ErrorCodeTable>;

/** Any code declared in a table. */
export type ErrorCode = {
  [K in keyof typeof ERROR_CODE_TABLES]: CodeOf<(typeof ERROR_CODE_TABLES)[K]>;
}[keyof typeof ERROR_CODE_TABLES];
