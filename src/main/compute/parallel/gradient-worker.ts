/**
 * A gradient worker: a worker thread with a tfjs instance of its own (one wasm thread), a twin of
 * the model being trained, and nothing else. Each step it takes the coordinator's current
 * weights and a shard of the batch and returns the shard's gradients (shard-gradients.ts). It
 * holds no optimiser state: the coordinator applies Adam once, so the twins cannot drift.
 */
import { parentPort } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { toErrorInfo } from '../../../shared/result';
import type { GradientWorkerReply, GradientWorkerRequest } from './gradient-protocol';

if (!parentPort) {
  throw new Error('gradient-worker.ts runs as a worker thread started by GradientWorkerPool.');
}
const port = parentPort;

let model: tf.LayersModel | null = null;
let lossKind: Extract<GradientWorkerRequest, { kind: 'init' }>['lossKind'] = 'bce';

async function handle(request: GradientWorkerRequest): Promise<GradientWorkerReply> {
  const { shardGradients, writeAllWeights } = await import('./shard-gradients');
  if (request.kind === 'init') {
    const { setupCompute } = await import('../setup');
    const { buildModel } = await import('../model/build');
    const report = await setupCompute({ name: request.backend, by: 'setting' }, { wasmThreads: 1 });
    if (report.active !== request.backend) {
      throw new Error(
        `The gradient worker could not start the ${request.backend} backend (it got ${report.active ?? 'none'}).`,
      );
    }
    model?.dispose();
    model = buildModel(request.config);
    lossKind = request.lossKind;
    return { kind: 'ready' };
  }
  if (!model) throw new Error('The gradient worker got a step before its model (init first).');
  writeAllWeights(model, request.weights);
  const result = await shardGradients(model, request.batch, lossKind);
  return { kind: 'shard', id: request.id, ...result };
}

port.on('message', (request: GradientWorkerRequest) => {
  handle(request).then(
    (reply) => {
      const transfer = reply.kind === 'shard' ? [reply.gradients.buffer, reply.state.buffer] : [];
      port.postMessage(reply, transfer as ArrayBuffer[]);
    },
    (error: unknown) => {
      port.postMessage({
        kind: 'error',
        id: request.kind === 'step' ? request.id : null,
        error: toErrorInfo(error),
      } satisfies GradientWorkerReply);
    },
  );
});
