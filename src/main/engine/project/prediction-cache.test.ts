import { describe, expect, it } from 'vitest';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { addTinyModel } from '../../../../test/support/project/test-fixtures';
import { SqliteDatabase } from './sqlite';

const { newProject, newProjectWithModel } = useScratchProjects();

describe('prediction cache', () => {
  it('caches probabilities per model version, image and options, within 1/510, as an 8-bit PNG', async () => {
    const { project, file, model } = await newProjectWithModel();
    const probabilities = Float32Array.from({ length: 24 * 20 }, (_, i) => Math.sin(i) * 0.5 + 0.5);
    expect(await project.getPrediction(model.id, 'test/01_test')).toBeUndefined();
    await project.putPrediction(model.id, 'test/01_test', { width: 24, height: 20, probabilities });
    const cached = await project.getPrediction(model.id, 'test/01_test');
    expect(cached?.probabilities).toHaveLength(probabilities.length);
    probabilities.forEach((p, i) => {
      expect(Math.abs(cached!.probabilities[i]! - p)).toBeLessThanOrEqual(1 / 510 + 1e-7);
      // The 0.5 threshold gives the same mask from the cached map as from the exact one.
      expect(cached!.probabilities[i]! >= 0.5).toBe(p >= 0.5);
    });
    const db = await SqliteDatabase.open(file, { readOnly: true });
    const stored = await db.get<{ encoding: string; n: number }>(
      'SELECT encoding, length(bytes) AS n FROM prediction_cache',
    );
    await db.close();
    expect(stored?.encoding).toBe('u8-png');
    expect(stored!.n).toBeLessThan(probabilities.byteLength / 2);
    expect(await project.getPrediction(model.id, 'test/01_test', 'flip')).toBeUndefined();
    expect(await project.clearPredictions(model.id)).toBe(1);
  });

  it('keeps the scale each map was predicted at, and reads a map given none as unknown', async () => {
    const { project, model } = await newProjectWithModel();
    const one = { width: 1, height: 1, probabilities: new Float32Array([0.25]) };
    await project.putPrediction(model.id, 'test/01_test', {
      ...one,
      scale: { factor: 0.75, fovDiameter: 720 },
    });
    expect(await project.getPrediction(model.id, 'test/01_test')).toMatchObject({
      scale: { factor: 0.75, fovDiameter: 720 },
    });
    // A factor given without a measured FOV (--scale off or a factor), and none at all.
    await project.putPrediction(
      model.id,
      'test/01_test',
      { ...one, scale: { factor: 1, fovDiameter: null } },
      'off',
    );
    expect(await project.getPrediction(model.id, 'test/01_test', 'off')).toMatchObject({
      scale: { factor: 1, fovDiameter: null },
    });
    await project.putPrediction(model.id, 'test/01_test', one, 'none');
    expect(await project.getPrediction(model.id, 'test/01_test', 'none')).toMatchObject({
      scale: null,
    });
    // What is read back can be stored again as it is (e.g. copied to another version).
    const copy = (await project.getPrediction(model.id, 'test/01_test', 'off'))!;
    await project.putPrediction(model.id, 'test/01_test', copy, 'copy');
    expect((await project.getPrediction(model.id, 'test/01_test', 'copy'))?.scale).toEqual({
      factor: 1,
      fovDiameter: null,
    });
    // Replacing a map replaces its scale too.
    await project.putPrediction(model.id, 'test/01_test', one);
    expect(await project.getPrediction(model.id, 'test/01_test')).toMatchObject({ scale: null });
    for (const scale of [
      { factor: 0, fovDiameter: null },
      { factor: Number.NaN, fovDiameter: null },
      { factor: 1, fovDiameter: -3 },
    ]) {
      await expect(
        project.putPrediction(model.id, 'test/01_test', { ...one, scale }),
      ).rejects.toMatchObject({ code: 'PROJECT_BAD_INPUT' });
    }
  });

  it('refuses a wrong size and versions or images it cannot cache for, and clears every entry', async () => {
    const { project } = await newProject(1);
    const live = await addTinyModel(project, 'a');
    const gone = await addTinyModel(project, 'b');
    await project.deleteModelVersion(gone.id);
    const one = { width: 1, height: 1, probabilities: new Float32Array([0.25]) };
    for (const [modelId, imageKey, prediction, code] of [
      [live.id, 'test/01_test', { ...one, width: 2 }, 'PROJECT_BAD_INPUT'],
      [gone.id, 'test/01_test', one, 'PROJECT_MODEL_DELETED'],
      [99, 'test/01_test', one, 'PROJECT_UNKNOWN_MODEL'],
      [live.id, 'nope', one, 'PROJECT_UNKNOWN_IMAGE'],
    ] as const) {
      await expect(project.putPrediction(modelId, imageKey, prediction)).rejects.toMatchObject({
        code,
      });
    }
    await project.putPrediction(live.id, 'test/01_test', one);
    await project.putPrediction(live.id, 'test/01_test', {
      ...one,
      probabilities: new Float32Array([0.75]),
    });
    await project.putPrediction(live.id, 'test/01_test', one, 'flip');
    const cached = await project.getPrediction(live.id, 'test/01_test');
    expect(Array.from(cached?.probabilities ?? [])).toEqual([Math.fround(191 / 255)]);
    expect(await project.clearPredictions()).toBe(2);
  });
});
