import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProject, toCsv } from './export';
import { decodePngMask } from './mask-codec';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { addEvaluatedBaseline } from '../../../../test/support/project/project-contents';
import { randomMask } from '../../../../test/support/project/test-fixtures';

const { newProject } = useScratchProjects();

describe('exportProject', () => {
  it('writes corrected masks in the dataset layout, metrics as CSV and models as tfjs folders', async () => {
    const { dir, project } = await newProject(2);
    const first = randomMask(24, 20, 1);
    const latest = randomMask(24, 20, 2);
    await project.saveMaskRevision('test/02_test', { kind: 'binary', ...first });
    await project.saveMaskRevision('test/02_test', { kind: 'binary', ...latest });
    const model = await addEvaluatedBaseline(project, 'test, "1st" observer', 'test/02_test');

    const out = path.join(dir, 'export');
    const report = await exportProject(project, out);
    expect(report.masks).toEqual(['masks/test/1st_manual/02_manual1.png']);
    const exported = await decodePngMask(
      await fs.readFile(path.join(out, 'masks/test/1st_manual/02_manual1.png')),
    );
    expect(Array.from(exported.data)).toEqual(Array.from(latest.data));
    expect(report.models).toEqual([`models/${model.id}-U-Net-baseline`]);
    expect(existsSync(path.join(out, report.models[0], 'weights.bin'))).toBe(true);
    const summary = await fs.readFile(path.join(out, 'metrics/evaluations.csv'), 'utf8');
    expect(summary.split('\n')[0]).toBe(
      'evaluation,name,model_version,model_name,created_at,protocol,auc,f1',
    );
    expect(summary).toContain('"test, ""1st"" observer"');
    expect(summary).toContain(',0.97,0.8');
    expect(report.metrics).toEqual(
      expect.arrayContaining([
        'metrics/evaluation-1-per-image.csv',
        'metrics/evaluation-1-roc.csv',
      ]),
    );
    expect(JSON.parse(await fs.readFile(path.join(out, 'export.json'), 'utf8'))).toMatchObject({
      masks: report.masks,
    });

    await expect(exportProject(project, out)).rejects.toMatchObject({ code: 'PROJECT_BAD_INPUT' });
  });

  it('quotes CSV fields only when they need it', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'plain'],
          [null, 'q"'],
        ],
      ),
    ).toBe('a,b\n"x,y",plain\n,"q"""\n');
  });
});
