/**
 * The view settings a project saves, under the engine's names. The list itself (schemas and
 * defaults) is part of the contract in src/shared/api/view-settings.ts, so the renderer saves
 * exactly what the store accepts. Only what is listed there is stored: an old project missing
 * a key gets the default, and a stored value that no longer fits its schema (an older build's
 * shape) falls back to it too.
 */
import {
  defaultStudioViewSettings,
  studioViewSettingKeys,
  studioViewSettingsSchema,
  type CompleteStudioViewSettings,
  type StudioViewSettingKey,
} from '../../../shared/api/view-settings';

/** The schema of each setting, by key (each accepts a missing value, as a partial save does). */
export const viewSettingSchemas = studioViewSettingsSchema.shape;

/** The name of one view setting. */
export type ViewSettingKey = StudioViewSettingKey;
/** Every view setting with a value, as a project read returns them. */
export type ViewSettings = CompleteStudioViewSettings;

/** The value of each setting a project never saved. */
export const defaultViewSettings: ViewSettings = defaultStudioViewSettings;

/** Every key of the list. */
export const viewSettingKeys: ViewSettingKey[] = studioViewSettingKeys;

/** Validates a partial update; unknown keys and values outside their schema are refused. */
export const viewSettingsUpdateSchema = studioViewSettingsSchema;
