/**
 * For tests: a real (tiny) tfjs model that calls dark-green pixels vessel, stored in a project
 * as a model version with its predictions cached, the way training leaves a project. The
 * probabilities come from running the model, so the studio's prediction path sees real output.
 */
import * as tf from '@tensorflow/tfjs';
import { allEntries, loadRgb, openDataset } from '../../engine/dataset';
import { createProject, openProject, type Project } from '../../engine/project';

/** One 1x1 convolution with a sigmoid: p = sigmoid(7.5 - 30 * green). */
function buildTinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3] });
  const conv = tf.layers.conv2d({
    filters: 1,
    kernelSize: 1,
    activation: 'sigmoid',
    weights: [tf.tensor4d([0, -30, 0], [1, 1, 3, 1]), tf.tensor1d([7.5])],
  });
  return tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
}

async function modelFiles(model: tf.LayersModel): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const manifest = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      const weights = artifacts.weightData as ArrayBuffer;
      files = {
        'model.json': new TextEncoder().encode(JSON.stringify(manifest)),
        'weights.bin': new Uint8Array(weights),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

/**
 * Creates (or opens) the project of a dataset, adds the tiny model as a version and caches its
 * predictions for every image. Returns the model version id.
 */
export async function addTinyModelWithPredictions(
  projectFile: string,
  datasetRoot: string,
): Promise<number> {
  await tf.setBackend('cpu');
  const dataset = await openDataset(datasetRoot);
  const entries = allEntries(dataset);
  let project: Project;
  try {
    project = await openProject(projectFile);
  } catch {
    project = await createProject(projectFile, {
      datasetRoot,
      images: entries.map((e) => ({
        key: e.id,
        split: e.split,
        name: e.name,
        width: e.width,
        height: e.height,
        files: { image: e.imagePath },
      })),
    });
  }
  const model = buildTinyModel();
  try {
    const version = await project.addModelVersion({
      name: 'tiny-green',
      config: { arch: 'test-only', note: 'p = sigmoid(7.5 - 30 * green)' },
      files: await modelFiles(model),
      backend: 'cpu',
    });
    for (const entry of entries) {
      const rgb = await loadRgb(entry);
      const output = tf.tidy(() => {
        const x = tf.tensor4d(
          Float32Array.from(rgb.data, (v) => v / 255),
          [1, rgb.height, rgb.width, 3],
        );
        return model.predict(x) as tf.Tensor;
      });
      // Read asynchronously, as every prediction path must (webgpu has no synchronous read).
      const probabilities = (await output.data()) as Float32Array;
      output.dispose();
      await project.putPrediction(version.id, entry.id, {
        width: rgb.width,
        height: rgb.height,
        probabilities,
        // Predicted at the image's own size.
        scale: { factor: 1, fovDiameter: null },
      });
    }
    return version.id;
  } finally {
    model.dispose();
    await project.close();
  }
}
