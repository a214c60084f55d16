/**
 * `average`: writes the model whose weights are the mean of several models' weights (stochastic
 * weight averaging over the epochs `train --keep-epochs` kept; engine/model/average.ts).
 */
import { averageModels } from '../../engine/model/average';
import { stringOption, UsageError, type CliCommand } from '../command';

export const averageCommand: CliCommand = {
  name: 'average',
  summary:
    'Average the weights of several models of one network into a new model (weight averaging).',
  usage: '--out <model-dir> <model-dir> <model-dir> [...] [--json]',
  description:
    'Each weight of the new model is the mean of that weight over the given models, which must be the same network ' +
    '(same layers, config and training scale, no batch normalisation): epochs of one run, as `train --keep-epochs` keeps them ' +
    'in <out>.epochs/, or fine-tunes of one model. Averaging the epochs of a run at a constant learning rate is stochastic ' +
    "weight averaging (Izmailov et al., UAI 2018). The new model keeps their preprocessing and inference settings and the last model's " +
    "training record and log (for a run's epochs in order, the whole run), adds training.averagedFrom (each model folder with the SHA-256 of its weights) and carries no test " +
    'figures: evaluate it with eval --model.',
  options: {
    out: {
      type: 'string',
      valueName: '<model-dir>',
      description: 'Folder for the averaged model (new, empty, or a model folder to replace).',
    },
  },
  async run(args, io) {
    const out = stringOption(args, 'out', true);
    if (args.positionals.length < 2) {
      throw new UsageError(
        `give at least two model folders to average after the options, got ${args.positionals.length}`,
      );
    }
    const result = await averageModels(args.positionals, out);
    const lines = [
      `average: wrote ${result.outDir} (${result.parameterCount} parameters), the mean of ${result.sources.length} models:`,
      ...result.sources.map(
        (s) =>
          `  ${s.dir}${s.epoch === null ? '' : ` (epoch ${s.epoch})`} weights ${s.weightsSha256.slice(0, 12)}`,
      ),
      `Evaluate it: eval --data <folder> --model ${result.outDir}`,
    ];
    io.log(`average: ${result.sources.length} models averaged into ${result.outDir}`);
    return {
      json: {
        outDir: result.outDir,
        parameterCount: result.parameterCount,
        sources: result.sources,
      },
      text: lines.join('\n'),
    };
  },
};
