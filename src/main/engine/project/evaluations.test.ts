import { describe, expect, it } from 'vitest';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';

const { newProject, newProjectWithModel } = useScratchProjects();

describe('evaluations', () => {
  it('stores evaluations with pooled and per-image metrics and Float32 ROC/PR points', async () => {
    const { project, model } = await newProjectWithModel();
    const evaluation = await project.addEvaluation({
      name: 'DRIVE test',
      modelVersionId: model.id,
      protocol: { split: 'test', reference: '1st', fov: true, threshold: 0.5 },
      pooled: { auc: 0.9793, f1: 0.8201 },
      perImage: [{ imageKey: 'test/01_test', metrics: { auc: 0.98 } }],
      roc: { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], thresholds: [1, 0.5, 0] },
      pr: { recall: [0, 1], precision: [1, 0.1] },
    });
    expect(evaluation.pooled).toEqual({ auc: 0.9793, f1: 0.8201 });
    expect(Array.from(evaluation.roc?.tpr ?? [])).toEqual([0, Math.fround(0.8), 1]);
    expect(evaluation.pr?.thresholds).toBeNull();
    expect(evaluation.perImage).toEqual([{ imageKey: 'test/01_test', metrics: { auc: 0.98 } }]);
    expect((await project.listEvaluations(model.id)).map((e) => e.id)).toEqual([evaluation.id]);
    await expect(
      project.addEvaluation({
        modelVersionId: null,
        protocol: {},
        pooled: {},
        roc: { fpr: [0, 1], tpr: [0] },
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_BAD_INPUT' });
  });

  it('keeps an evaluation without curves or model, and refuses ones it cannot link', async () => {
    const { project } = await newProject(1);
    const plain = await project.addEvaluation({
      modelVersionId: null,
      protocol: { split: 'test' },
      pooled: { f1: 0.5 },
    });
    expect(plain).toMatchObject({
      name: '',
      modelVersionId: null,
      runId: null,
      perImage: [],
      roc: null,
      pr: null,
    });
    expect(await project.getEvaluation(plain.id)).toEqual(plain);
    expect((await project.listEvaluations()).map((e) => e.id)).toEqual([plain.id]);
    await expect(
      project.addEvaluation({ modelVersionId: 4, protocol: {}, pooled: {} }),
    ).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_MODEL' });
    await expect(project.getEvaluation(99)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_EVALUATION',
    });
  });
});
