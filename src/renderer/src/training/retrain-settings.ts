/**
 * What the Retrain settings panel shows: its number fields with the contract's limits, and the
 * defaults for the backend app.info reports (the engine fills the same for a field left out).
 */
import type { BackendReport } from '../../../shared/api/app';
import { TRAINING_LIMITS, type RetrainSettings } from '../../../shared/api/training';
import { gpuName } from '../../../shared/backend-text';
import {
  MODEL_PRESET_NAMES,
  modelPreset,
  type ModelPresetName,
} from '../../../shared/model-config';
import { defaultRetrainSettings, patchesSeen } from '../../../shared/retrain-defaults';

/** A retrain setting the panel edits as a number. */
export type NumericSetting =
  'epochs' | 'stepsPerEpoch' | 'batchSize' | 'patchSize' | 'learningRate' | 'correctionWeight';

/** One number field: its label and the contract's limits (the engine refuses values beyond). */
export interface NumberFieldSpec {
  key: NumericSetting;
  label: string;
  min: number;
  max: number;
  step: number;
}

const LABELS: Record<NumericSetting, string> = {
  epochs: 'Epochs',
  stepsPerEpoch: 'Steps/epoch',
  batchSize: 'Batch',
  patchSize: 'Patch px',
  learningRate: 'Learning rate',
  correctionWeight: 'Correction weight',
};

/** The numeric retrain settings, in the order the settings panel shows them. */
export const NUMBER_FIELDS: readonly NumberFieldSpec[] = (
  Object.keys(LABELS) as NumericSetting[]
).map((key) => ({
  key,
  label: LABELS[key],
  min: TRAINING_LIMITS[key].min,
  max: TRAINING_LIMITS[key].max,
  step: key === 'learningRate' ? 0.0001 : 1,
}));

/**
 * Retrain's defaults for the reported backend. From scratch, the batch is sized for the chosen
 * preset; a fine-tune's model is not known here, so the largest studio architecture is assumed
 * (the engine sizes it for the real one when a field is left out).
 */
export function retrainDefaultsFor(
  report: BackendReport | null,
  fineTune: boolean,
  arch: string,
): RetrainSettings {
  const preset =
    !fineTune && (MODEL_PRESET_NAMES as readonly string[]).includes(arch)
      ? modelPreset(arch as ModelPresetName)
      : undefined;
  return {
    ...defaultRetrainSettings(report?.active ?? null, report?.adapter, preset),
    fineTune,
    arch,
  };
}

/** "Defaults for webgpu on NVIDIA H200: 2 epochs × 56 steps × 128 = 14,336 patches." */
export function defaultsHint(report: BackendReport | null, defaults: RetrainSettings): string {
  const backend = report?.active ?? 'the backend not yet known';
  const on = report?.active === 'webgpu' && report.adapter ? ` on ${gpuName(report.adapter)}` : '';
  const patches = patchesSeen(defaults).toLocaleString('en');
  return `Defaults for ${backend}${on}: ${defaults.epochs} epochs × ${defaults.stepsPerEpoch} steps × ${defaults.batchSize} = ${patches} patches.`;
}
