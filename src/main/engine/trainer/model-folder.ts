/**
 * A trained classifier on disk: a TF.js layers-model folder (model.json + weights.bin) that maps
 * preprocessed images [N, S, S, 3] to class probabilities [N, K] (base and head combined, so it
 * predicts from images on its own), plus labels.json and preprocessing.json saying how to feed
 * it. tfjs has no file:// handler without tfjs-node, so the files are written here.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { parseJsonText } from '../../../shared/parse-json';
import { PARTIAL_MARK } from './model-folder-paths';

export { discardModelFolder, partialModelFolderRunId } from './model-folder-paths';

export interface PreprocessingInfo {
  /** 'caffe' (RGB→BGR, minus ImageNet means), 'tf' (x/127.5 − 1), 'tm' (x/127 − 1). */
  mode: string;
  /** Square input side, px. */
  inputSize: number;
  /** How photos are fitted to the input: shorter side to inputSize, then center crop. */
  resize: 'shorter-side-center-crop';
  channelOrder: 'RGB';
  backboneId: string;
  /**
   * Px, ascending, with a multi-scale classifier: it takes the photo at inputSize (the largest)
   * and resizes it in the graph to each smaller scale itself. Absent: one scale.
   */
  scales?: number[];
}

export interface ModelFolderInfo {
  labels: string[];
  preprocessing: PreprocessingInfo;
}

/**
 * Writes the model folder atomically: everything goes into a sibling temporary folder that is
 * renamed to `dir` only once complete, so a crash, kill or error mid-save never leaves a
 * half-written model at `dir` (loading it would fail, or worse, load the wrong weights). On an
 * error the temporary folder is removed; one a killed process leaves is removed by
 * {@link discardModelFolder}. An existing `dir` is replaced whole.
 */
export async function saveModelFolder(model: tf.LayersModel, dir: string, info: ModelFolderInfo): Promise<void> {
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(path.join(parent, `.${path.basename(dir)}${PARTIAL_MARK}`));
  try {
    await writeModelFiles(model, temp, info);
    await replaceFolder(temp, dir);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

async function writeModelFiles(model: tf.LayersModel, dir: string, info: ModelFolderInfo): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'Transfer Studio',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }]
      };
      await writeFile(path.join(dir, 'weights.bin'), Buffer.from(weightData));
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    })
  );
  await writeFile(path.join(dir, 'labels.json'), JSON.stringify(info.labels, null, 2));
  await writeFile(path.join(dir, 'preprocessing.json'), JSON.stringify(info.preprocessing, null, 2));
}

/**
 * Renames the complete `temp` folder to `dir`. A folder already at `dir` (a run id reused after
 * its project file was replaced) is moved aside first, since rename will not replace a
 * non-empty folder, and is put back if the rename fails.
 */
async function replaceFolder(temp: string, dir: string): Promise<void> {
  if (!existsSync(dir)) return rename(temp, dir);
  const aside = `${temp}-old`;
  await rename(dir, aside);
  try {
    await rename(temp, dir);
  } catch (err) {
    await rename(aside, dir);
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
}

interface ModelJsonShape {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Throws NOT_FOUND naming the folder when a file is missing or unreadable, never Node's bare errno text. */
export async function loadModelFolder(dir: string): Promise<{ model: tf.LayersModel } & ModelFolderInfo> {
  try {
    return await readModelFolder(dir);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      'NOT_FOUND',
      `The saved model in ${dir} is missing or damaged (${(err as Error).message}). Train the model again, or choose another run.`
    );
  }
}

async function readModelFolder(dir: string): Promise<{ model: tf.LayersModel } & ModelFolderInfo> {
  const json = parseJsonText(await readFile(path.join(dir, 'model.json'), 'utf8'), 'model.json') as ModelJsonShape;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const file of group.paths) {
      const bytes = await readFile(path.join(dir, file));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: tf.io.CompositeArrayBuffer.join(buffers) })
  );
  const labels = parseJsonText(await readFile(path.join(dir, 'labels.json'), 'utf8'), 'labels.json') as string[];
  const preprocessing = parseJsonText(
    await readFile(path.join(dir, 'preprocessing.json'), 'utf8'),
    'preprocessing.json'
  ) as PreprocessingInfo;
  return { model, labels, preprocessing };
}
