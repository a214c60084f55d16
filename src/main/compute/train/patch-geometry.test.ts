import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { modelPreset, type ModelConfig } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import { TRAIN_ERROR_CODES } from './job';
import { trainingPatchGeometry } from './patch-geometry';
import { runTrainJob } from './run-job';

const paper = modelPreset('unet-paper');
const smallValid = { ...paper, depth: 2, baseWidth: 4 } as ModelConfig;

/** The AppError trainingPatchGeometry throws (fails the test when it throws nothing). */
function refusal(config: ModelConfig, patchSize: number): AppError {
  try {
    trainingPatchGeometry(config, patchSize);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`patch size ${patchSize} was accepted`);
}

describe('trainingPatchGeometry', () => {
  it("valid U-Net: the patch is the output, the input adds the paper's receptive border", () => {
    // The paper's tile: 572 in, 388 out (Ronneberger et al. 2015, Fig. 1).
    expect(trainingPatchGeometry(paper, 388)).toEqual({
      inputSize: 572,
      outputSize: 388,
      border: 92,
    });
    expect(trainingPatchGeometry(paper, 52)).toEqual({
      inputSize: 236,
      outputSize: 52,
      border: 92,
    });
    // Two poolings: 4 convolutions per level lose 4 + 8 + 8 + ... = 20 px per side.
    expect(trainingPatchGeometry(smallValid, 16)).toEqual({
      inputSize: 56,
      outputSize: 16,
      border: 20,
    });
  });

  it('valid U-Net: an output no input produces is refused, naming the nearest legal sizes', () => {
    const error = refusal(paper, 48);
    expect(error.code).toBe(TRAIN_ERROR_CODES.BAD_OPTIONS);
    expect(error.message).toContain('36 (input 220) or 52 (input 236)');
    expect(error.message).toContain('--patch');
    expect(refusal(smallValid, 18).message).toContain('16 (input 56) or 20 (input 60)');
    // Below the smallest output there is only one neighbour to name.
    expect(refusal(paper, 3).message).toContain('Nearest legal patch sizes: 4 (input 188).');
  });

  it('padded networks: input and output are the patch, a multiple of 2^poolings', () => {
    const bench = modelPreset('bench-unet');
    expect(trainingPatchGeometry(bench, 48)).toEqual({ inputSize: 48, outputSize: 48, border: 0 });
    const odd = refusal(bench, 50);
    expect(odd.code).toBe(TRAIN_ERROR_CODES.BAD_OPTIONS);
    expect(odd.message).toContain('multiple of 8');
    expect(odd.message).toContain('48 or 56');
    const ladder = modelPreset('laddernet');
    expect(trainingPatchGeometry(ladder, 48).inputSize).toBe(48);
    expect(refusal(ladder, 40).message).toContain('32 or 48');
  });
});

describe('a training job with an impossible patch size', () => {
  it('is refused before any image is read', async () => {
    const messages: string[] = [];
    const missing = path.join(os.tmpdir(), 'vessel-no-such-dataset');
    const run = runTrainJob(
      {
        // A folder that does not exist: reading it would fail with a dataset error instead.
        data: { kind: 'folder', root: missing, observer: '1st' },
        model: { kind: 'config', config: smallValid },
        outDir: path.join(os.tmpdir(), 'vessel-never-written'),
        options: { patchSize: 18 },
        workers: 1,
      },
      {
        signal: new AbortController().signal,
        progress: (p) => messages.push(p.message ?? ''),
        log: () => {},
      },
    );
    await expect(run).rejects.toMatchObject({
      code: TRAIN_ERROR_CODES.BAD_OPTIONS,
      message: expect.stringContaining('16 (input 56) or 20 (input 60)') as unknown,
    });
    expect(messages).not.toContain('reading images');
  }, 60_000);
});
