/** What tests put into a scratch project: corrected masks, a model version and its evaluation. */
import type { Project } from '../../../src/main/engine/project/project';
import type { MaskInput, ModelVersion } from '../../../src/main/engine/project/types';
import { addBaselineModel, randomMask } from './test-fixtures';

/** A random 0/1 mask (randomMask) as a mask revision to save. */
export function randomMaskInput(width: number, height: number, seed: number): MaskInput {
  return { kind: 'binary', ...randomMask(width, height, seed) };
}

/**
 * Adds the baseline model version (addBaselineModel) and an evaluation of it called `name` on
 * the test split: pooled AUC 0.97 and F1 0.8, AUC 0.96 on `imageKey`, three-point ROC and PR
 * curves. Returns the model version.
 */
export async function addEvaluatedBaseline(
  project: Project,
  name: string,
  imageKey: string,
): Promise<ModelVersion> {
  const model = await addBaselineModel(project);
  await project.addEvaluation({
    name,
    modelVersionId: model.id,
    protocol: { split: 'test' },
    pooled: { auc: 0.97, f1: 0.8 },
    perImage: [{ imageKey, metrics: { auc: 0.96 } }],
    roc: { fpr: [0, 0.1, 1], tpr: [0, 0.9, 1] },
    pr: { recall: [0, 0.9, 1], precision: [1, 0.8, 0.1] },
  });
  return model;
}
