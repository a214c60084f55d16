/**
 * The studio's part of the contract: open a dataset and its project, list images with the
 * active model's figures, fetch an image's pixels, labels, prediction and corrected mask (as
 * PNG bytes, never JSON pixel arrays), save mask revisions and read the view settings.
 */
import { z } from 'zod';
import { event, request } from './define';
import {
  codesOf,
  COMPUTE_WORK_ERRORS,
  FILES_ERROR_CODES,
  MODEL_ERROR_CODES,
  SESSION_ERRORS,
  SESSION_READ_ERRORS,
  STUDIO_ERROR_CODES,
} from './errors';
import { studioViewSettingsSchema, type StudioViewSettings } from './view-settings';

export {
  defaultStudioViewSettings,
  studioViewSettingKeys,
  studioViewSettingsSchema,
  type CompleteStudioViewSettings,
  type StudioViewSettingKey,
  type StudioViewSettings,
} from './view-settings';

/** PNG bytes cross as Uint8Array (structured clone over IPC, binary attachments over WebSocket). */
const pngBytes = z.instanceof(Uint8Array).refine((b) => b.byteLength > 8, 'expected PNG bytes');

const imageId = z.string().min(1).max(500);

/**
 * Declares a request that reads one image's data: its input is `{ id }`, and it may fail like
 * any session request, like any dataset read, and with the `extra` codes.
 */
function imageRequest<O>() {
  return <const E extends string = never>(doc: string, extra: readonly E[] = []) =>
    request<O>()(z.object({ id: imageId }).strict(), doc, {
      errors: [...SESSION_READ_ERRORS, ...extra],
    });
}

export interface StudioSessionInfo {
  datasetRoot: string;
  /** The dataset layout `openDataset` recognised (`drive`, `stare`, ...). */
  layout: string;
  projectFile: string;
  /** True when this open created the project file. */
  projectCreated: boolean;
  imageCount: number;
  /** Files of the dataset that were skipped or worked around, one line each. */
  problems: { code: string; message: string; file: string }[];
  /** The model whose predictions are shown, or null with the reason. */
  model: { id: number; name: string } | null;
  modelMissingReason: string | null;
}

export interface StudioImageSummary {
  id: string;
  split: string;
  name: string;
  width: number;
  height: number;
  observers: ('1st' | '2nd')[];
  /** True once the person saved a mask revision for it. */
  corrected: boolean;
  latestRevisionId: number | null;
  /** Figures of the active model against the current mask inside the FOV; null without a prediction. */
  f1: number | null;
  auc: number | null;
  /** Mean closeness of the probabilities to 0.5 inside the FOV (0 sure, 1 undecided). */
  uncertainty: number | null;
  /** 1 - F1 of the thresholded prediction against the current mask. */
  disagreement: number | null;
  /** Position in the "correct next" order (0 first); images without figures come last. */
  correctNextRank: number;
  /**
   * Mean uncertainty inside the FOV at the requested threshold (shared/uncertainty.ts), for
   * "most uncertain first"; null without a cached prediction of the active model.
   */
  uncertaintyScore: number | null;
}

export interface StudioImageList {
  images: StudioImageSummary[];
  /** How the "correct next" order was made, for the person. */
  orderNote: string;
}

export interface StudioImagePixels {
  id: string;
  width: number;
  height: number;
  /** The fundus as an 8-bit RGB PNG, display-ready. */
  png: Uint8Array;
}

export interface StudioLabels {
  id: string;
  width: number;
  height: number;
  /** Masks as run lengths (see shared/mask-runs.ts); null when the set has no such label. */
  firstObserver: Uint32Array;
  secondObserver: Uint32Array | null;
  /** The FOV mask as run lengths (derived from the image when the set ships none). */
  fov: Uint32Array;
  fovDerived: boolean;
}

export type StudioPrediction =
  | {
      available: true;
      id: string;
      modelId: number;
      modelName: string;
      width: number;
      height: number;
      /** Probabilities scaled to 0..255, as an 8-bit grey PNG. */
      png: Uint8Array;
      /**
       * The factor the image was resampled by to be predicted (network pixels per image pixel;
       * 1 = predicted at the image's own size), null when unknown (predicted before it was kept).
       */
      scale: number | null;
      /** The image's FOV diameter in pixels that the factor matched (auto scale), else null. */
      fovDiameter: number | null;
      /**
       * Set when this is an earlier version's prediction, shown until the active version's own
       * prediction of the image exists: the active version and why it has none yet.
       */
      standsInFor?: { modelId: number; modelName: string; reason: string };
    }
  | { available: false; id: string; reason: string };

/**
 * The queue that predicts the active version image by image (the image on screen first, then
 * its neighbours in list order), followed by the version's test-set evaluation.
 */
export interface PredictionQueueState {
  modelId: number;
  modelName: string;
  /** `predicting` images, then `evaluating` on the test split; the rest are ends. */
  phase: 'predicting' | 'evaluating' | 'done' | 'failed' | 'cancelled';
  /** Images predicted so far, of `total` (the images that had no prediction when it began). */
  done: number;
  total: number;
  /** The image being predicted now; null between images (paused) and after the predictions. */
  currentId: string | null;
  /** Seconds left for the predictions at the measured time per image; null before the first is done. */
  etaSeconds: number | null;
  /** Paused by the person: the image in flight finishes, no other starts until resumed. */
  paused: boolean;
  /** Why the queue failed, else null. */
  error: string | null;
}

export interface StudioMask {
  id: string;
  width: number;
  height: number;
  /** The current corrected mask as run lengths (see shared/mask-runs.ts). */
  runs: Uint32Array;
  /** Where it comes from: the latest saved revision, or the 1st observer's label. */
  source: 'revision' | 'label';
  revisionId: number | null;
}

export interface StudioRevision {
  id: number;
  imageId: string;
  parentId: number | null;
  createdAt: string;
  note: string;
  /** Size of the stored mask in bytes. */
  byteLength: number;
  /** What the revision did, from its pixels ("Painted vessel, 312 px"); set where revisions are listed or saved. */
  title?: string;
}

export interface StudioThumbnail {
  id: string;
  width: number;
  height: number;
  /** A small JPEG of the fundus image. */
  jpeg: Uint8Array;
}

export const studioRequests = {
  'studio.open': request<StudioSessionInfo>()(
    z
      .object({
        datasetPath: z.string().min(1).optional(),
        projectPath: z.string().min(1).optional(),
      })
      .strict()
      .refine((v) => v.datasetPath !== undefined || v.projectPath !== undefined, {
        message: 'give datasetPath, projectPath or both',
      }),
    'Opens a dataset folder and/or a project file. A dataset without a project gets one in ' +
      'VESSEL_PROJECTS_DIR (default ~/.vessel-studio/projects), never inside the dataset folder.',
    {
      errors: [...SESSION_READ_ERRORS, ...COMPUTE_WORK_ERRORS, ...codesOf(FILES_ERROR_CODES)],
    },
  ),
  'studio.session': request<StudioSessionInfo | null>()(
    z.object({}).strict().default({}),
    'The open dataset and project, or null.',
  ),
  'studio.close': request<{ closed: boolean }>()(
    z.object({}).strict().default({}),
    'Closes the open project and dataset.',
    { errors: SESSION_ERRORS },
  ),
  'studio.listImages': request<StudioImageList>()(
    z
      .object({ threshold: z.number().min(0).max(1).optional() })
      .strict()
      .default({}),
    'Every image with its split, corrected flag, the active model figures, the "correct next" order and its uncertainty score at `threshold` (default 0.5).',
    { errors: SESSION_READ_ERRORS },
  ),
  'studio.thumbnail': imageRequest<StudioThumbnail>()(
    'A small JPEG of the fundus image (64 pixels wide) for the image list.',
  ),
  'studio.image': imageRequest<StudioImagePixels>()('The fundus image as PNG bytes.'),
  'studio.labels': imageRequest<StudioLabels>()(
    'The manual labels (1st, 2nd) and the FOV mask as PNG bytes.',
  ),
  'studio.prediction': imageRequest<StudioPrediction>()(
    "The active model's probability map as a grey PNG, or why there is none.",
    COMPUTE_WORK_ERRORS,
  ),
  'studio.focusImage': request<PredictionQueueState | null>()(
    z.object({ id: imageId, order: z.array(imageId).max(100_000).optional() }).strict(),
    'Names the image on screen (and the list order shown): the prediction queue predicts it ' +
      'next, then its neighbours in that order. Returns the queue, or null when none runs.',
    { errors: codesOf(STUDIO_ERROR_CODES) },
  ),
  'studio.predictionQueue': request<PredictionQueueState | null>()(
    z.object({}).strict().default({}),
    'The prediction queue of the open session, or null when none ran.',
  ),
  'studio.pausePredictions': request<PredictionQueueState | null>()(
    z.object({}).strict().default({}),
    'Pauses the prediction queue after the image in flight; null when none runs.',
    { errors: codesOf(STUDIO_ERROR_CODES) },
  ),
  'studio.resumePredictions': request<PredictionQueueState | null>()(
    z.object({}).strict().default({}),
    'Resumes a paused prediction queue; null when none runs.',
    { errors: codesOf(STUDIO_ERROR_CODES) },
  ),
  'studio.mask': imageRequest<StudioMask>()(
    'The current corrected mask: the latest revision, else the 1st observer label.',
  ),
  'studio.saveMask': request<StudioRevision>()(
    z
      .object({
        id: imageId,
        png: pngBytes,
        parentRevisionId: z.number().int().positive().nullable(),
        note: z.string().max(200).default(''),
      })
      .strict(),
    'Appends a mask revision (0/255 grey PNG of the image size).',
    { errors: SESSION_READ_ERRORS },
  ),
  'studio.revisions': imageRequest<{ revisions: StudioRevision[] }>()(
    "An image's mask revisions, newest first.",
  ),
  'studio.restoreRevision': request<{ revision: StudioRevision; mask: StudioMask }>()(
    z.object({ id: imageId, revisionId: z.number().int().positive() }).strict(),
    'Makes an older revision current by appending a copy of it; returns the new mask.',
    { errors: SESSION_READ_ERRORS },
  ),
  'studio.viewSettings': request<StudioViewSettings>()(
    z.object({}).strict().default({}),
    "The project's saved view settings (defaults for keys never saved).",
    { errors: SESSION_ERRORS },
  ),
  'studio.saveViewSettings': request<StudioViewSettings>()(
    z.object({ settings: studioViewSettingsSchema }).strict(),
    'Saves some view settings; unknown keys or bad values are refused with BAD_INPUT.',
    { errors: SESSION_ERRORS },
  ),
  'studio.export': request<StudioExport>()(
    z
      .object({ dir: z.string().min(1).max(4096) })
      .strict()
      .refine((v) => v.dir.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v.dir), {
        message: 'must be an absolute path',
      }),
    'Exports the project into a new or empty folder: corrected masks as PNG in the dataset layout, metrics as CSV, model versions as tfjs model folders.',
    {
      errors: [
        ...SESSION_READ_ERRORS,
        ...codesOf(MODEL_ERROR_CODES),
        ...codesOf(FILES_ERROR_CODES),
      ],
    },
  ),
};

/** What an export wrote, relative to its folder. */
export interface StudioExport {
  dir: string;
  masks: string[];
  metrics: string[];
  models: string[];
}

export const studioEvents = {
  'studio.opened': event<StudioSessionInfo>(
    'A dataset/project was opened (from any front end, e.g. the native menu).',
  ),
  'studio.revisionSaved': event<StudioRevision>('A mask revision was appended to the project.'),
  'studio.predictionReady': event<{ id: string; modelId: number }>(
    "The active version's prediction of an image was stored: ask for it again to show it.",
  ),
  'studio.predictionProgress': event<PredictionQueueState>(
    'The prediction queue moved: an image started or was stored, it paused, resumed or ended.',
  ),
};
