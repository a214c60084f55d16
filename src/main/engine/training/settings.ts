/**
 * A run's settings: those the person gave, the rest Retrain's defaults for the backend in use
 * and the model the run trains (the batch is sized for that model's memory), and the version
 * it fine-tunes. Decided before the run is recorded, so a refusal leaves nothing behind.
 */
import type { BackendReport } from '../../../shared/api/app';
import {
  RETRAIN_DEFAULTS,
  type RetrainSettings,
  type RetrainSettingsInput,
} from '../../../shared/api/training';
import {
  MODEL_PRESET_NAMES,
  modelConfigSchema,
  modelPreset,
  type ModelConfig,
  type ModelPresetName,
} from '../../../shared/model-config';
import {
  defaultRetrainSettings,
  quickRetrainSettings,
  withRetrainDefaults,
} from '../../../shared/retrain-defaults';
import { AppError, COMMON_ERROR_CODES } from '../../../shared/result';
import type { ModelVersion } from '../project';

/** Whether `arch` names a model preset a run can train from scratch. */
export function isPresetName(arch: string): arch is ModelPresetName {
  return (MODEL_PRESET_NAMES as readonly string[]).includes(arch);
}

/** The config a run trains: the parent's when fine-tuning, else the preset; undefined if unknown. */
export function trainedConfig(parent: ModelVersion | null, arch: string): ModelConfig | undefined {
  if (parent) {
    const parsed = modelConfigSchema.safeParse(parent.config);
    return parsed.success ? parsed.data : undefined;
  }
  return isPresetName(arch) ? modelPreset(arch) : undefined;
}

/** A run's settings with every default filled, and the version it fine-tunes (null: from scratch). */
export interface RunSettings {
  settings: RetrainSettings;
  parent: ModelVersion | null;
}

/** Where the defaults come from: the version a fine-tune starts from, and the backend in use. */
export interface SettingsSources {
  activeModel(): Promise<ModelVersion | null>;
  backendReport(): Promise<BackendReport>;
}

/**
 * Fills a run's settings (a quick fine-tune, scope `corrections`, from the quick preset);
 * refuses an unknown architecture for a run from scratch, and a quick run from scratch, with
 * BAD_INPUT. The active model is asked for only when fine-tuning.
 */
export async function resolveRunSettings(
  given: RetrainSettingsInput,
  sources: SettingsSources,
): Promise<RunSettings> {
  const fineTune = given.fineTune ?? RETRAIN_DEFAULTS.fineTune;
  const arch = given.arch ?? RETRAIN_DEFAULTS.arch;
  if (!fineTune && !isPresetName(arch)) {
    throw new AppError(
      COMMON_ERROR_CODES.BAD_INPUT,
      `Unknown architecture "${arch}"; choose one of ${MODEL_PRESET_NAMES.join(', ')}.`,
    );
  }
  const quick = given.scope === 'corrections';
  if (quick && !fineTune) {
    throw new AppError(
      COMMON_ERROR_CODES.BAD_INPUT,
      'A quick fine-tune (scope "corrections") refines the active model; a model from scratch needs every training image (scope "all").',
    );
  }
  const parent = fineTune ? await sources.activeModel() : null;
  const report = await sources.backendReport();
  const defaults = defaultRetrainSettings(
    report.active,
    report.adapter,
    trainedConfig(parent, arch),
  );
  const settings = withRetrainDefaults(given, quick ? quickRetrainSettings(defaults) : defaults);
  return { settings, parent };
}
