/**
 * The typed list of view settings a project saves. Only what is listed here is stored: each
 * entry has a schema and a default, so an old project missing a key gets the default and a
 * stored value that no longer fits its schema (an older build's shape) falls back to it too.
 * Pure zod with no node imports, so it can move to src/shared when the renderer wants it.
 */
import { z } from 'zod';

export const viewSettingSchemas = {
  /** The image shown on the canvas, by the dataset's image id (`test/01_test`). */
  selectedImage: z.string().nullable(),
  /** The model version whose prediction is shown. */
  selectedModelVersion: z.number().int().positive().nullable(),
  /** Which manual label is the reference layer. */
  referenceObserver: z.enum(['1st', '2nd']),
  showImage: z.boolean(),
  showPrediction: z.boolean(),
  showReference: z.boolean(),
  showCorrections: z.boolean(),
  showFov: z.boolean(),
  /** Opacity of the prediction overlay, 0..1. */
  predictionOpacity: z.number().min(0).max(1),
  /** Opacity of the reference/correction overlay, 0..1. */
  maskOpacity: z.number().min(0).max(1),
  /** Threshold that turns probabilities into a binary prediction on screen. */
  displayThreshold: z.number().min(0).max(1),
  /** Brush diameter in image pixels. */
  brushSize: z.number().int().min(1).max(256),
  /** Canvas zoom (1 = one image pixel per screen pixel) and pan in image pixels. */
  zoom: z.number().positive().max(64),
  pan: z.object({ x: z.number(), y: z.number() }),
} as const;

export type ViewSettingKey = keyof typeof viewSettingSchemas;
export type ViewSettings = { [K in ViewSettingKey]: z.infer<(typeof viewSettingSchemas)[K]> };

export const defaultViewSettings: ViewSettings = {
  selectedImage: null,
  selectedModelVersion: null,
  referenceObserver: '1st',
  showImage: true,
  showPrediction: true,
  showReference: false,
  showCorrections: true,
  showFov: false,
  predictionOpacity: 0.6,
  maskOpacity: 0.5,
  displayThreshold: 0.5,
  brushSize: 5,
  zoom: 1,
  pan: { x: 0, y: 0 },
};

export const viewSettingKeys = Object.keys(viewSettingSchemas) as ViewSettingKey[];

/** Validates a partial update; unknown keys and values outside their schema are refused. */
export const viewSettingsUpdateSchema = z.object(viewSettingSchemas).partial().strict();
