/**
 * The typed list of view settings a project saves, shared by the engine (which stores them
 * and fills in defaults) and the renderer (which maps its layers and tools to these keys).
 * Every key is optional because a save sends only some of them; the schema is strict because
 * a key outside the list is a mistake of the caller, not something to store. Reading a project
 * is forgiving in the engine instead: keys an older or newer build saved are skipped there.
 */
import { z } from 'zod';

/** Every view setting the project keeps, each optional; unknown keys are refused. */
export const studioViewSettingsSchema = z
  .object({
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
    /** The error map (true and false positives and negatives against the reference). */
    showErrors: z.boolean(),
    /** The uncertainty layer (probability near the display threshold). */
    showUncertainty: z.boolean(),
    /** Opacity of the error map, 0..1. */
    errorsOpacity: z.number().min(0).max(1),
    /** Opacity of the uncertainty layer, 0..1. */
    uncertaintyOpacity: z.number().min(0).max(1),
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
  })
  .partial()
  .strict();

/** Some or all of the view settings, as a save sends them and a read returns them. */
export type StudioViewSettings = z.infer<typeof studioViewSettingsSchema>;

/** The name of one view setting. */
export type StudioViewSettingKey = keyof StudioViewSettings;

/** Every view setting with a value: what a project has once defaults fill in the gaps. */
export type CompleteStudioViewSettings = Required<StudioViewSettings>;

/** The value of each setting a project never saved (or saved in a shape no longer valid). */
export const defaultStudioViewSettings: CompleteStudioViewSettings = {
  selectedImage: null,
  selectedModelVersion: null,
  referenceObserver: '1st',
  showImage: true,
  showPrediction: true,
  showReference: false,
  showCorrections: true,
  showFov: false,
  showErrors: false,
  showUncertainty: false,
  errorsOpacity: 0.8,
  uncertaintyOpacity: 0.8,
  predictionOpacity: 0.6,
  maskOpacity: 0.5,
  displayThreshold: 0.5,
  brushSize: 5,
  zoom: 1,
  pan: { x: 0, y: 0 },
};

/** Every key of the list, in declaration order. */
export const studioViewSettingKeys = Object.keys(
  studioViewSettingsSchema.shape,
) as StudioViewSettingKey[];
