/**
 * Which network a weights file or TF.js folder is for, from its layer names and shapes alone
 * (no weights are decoded, no tensor is made): quick enough to check a file the moment it is
 * chosen, and to say which backbone it fits when it is not the one asked for.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { isHdf5File, readKerasH5Layout } from './keras-h5';
import { MOBILENET_ALPHAS, mobilenetSignature } from './mobilenet-v2';
import { modelJsonPath } from './tfjs-folder';
import { folderWithoutModelJson, type WeightsIdentity } from './weights-identity';

export type { WeightsIdentity };

type Layout = Map<string, number[][]>;

export async function identifyWeights(weightsPath: string): Promise<WeightsIdentity> {
  const abs = path.resolve(weightsPath);
  if (!existsSync(abs)) throw new AppError('NOT_FOUND', `Weights not found: ${abs}`);
  const layout = await readLayout(abs);
  const found = identify(layout);
  if (found) return found;
  const names = [...layout.keys()].slice(0, 4).join(', ');
  throw new AppError(
    'WEIGHTS_INVALID',
    `${abs} holds weights for a network this app does not know (layers ${names || 'none'}…). Use VGG16, VGG19 or MobileNetV2 weights (Keras .h5 or a TF.js layers-model folder).`
  );
}

async function readLayout(abs: string): Promise<Layout> {
  const json = modelJsonPath(abs);
  if (json) return tfjsLayout(json);
  if (statSync(abs).isDirectory()) throw folderWithoutModelJson(abs);
  if (!isHdf5File(abs)) throw new AppError('WEIGHTS_INVALID', `${abs} is neither a Keras .h5 file nor a TF.js model.json.`);
  const weights = await readKerasH5Layout(abs);
  return new Map([...weights].map(([layer, list]) => [layer, list.map((w) => w.shape)]));
}

function tfjsLayout(file: string): Layout {
  let json: { weightsManifest?: { weights?: { name: string; shape: number[] }[] }[] };
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
  } catch (err) {
    throw new AppError('WEIGHTS_INVALID', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const out: Layout = new Map();
  for (const spec of (json.weightsManifest ?? []).flatMap((g) => g.weights ?? [])) {
    const layer = spec.name.includes('/') ? spec.name.slice(0, spec.name.lastIndexOf('/')) : spec.name;
    out.set(layer, [...(out.get(layer) ?? []), spec.shape]);
  }
  return out;
}

function identify(layout: Layout): WeightsIdentity | null {
  if (layout.has('block5_conv3')) {
    return layout.has('block5_conv4') ? { backboneId: 'vgg19', network: 'VGG19' } : { backboneId: 'vgg16', network: 'VGG16' };
  }
  const outChannels = (layer: string): number | undefined => {
    const kernel = layout.get(layer)?.[0];
    return kernel ? kernel[kernel.length - 1] : undefined;
  };
  for (const alpha of MOBILENET_ALPHAS) {
    if (Object.entries(mobilenetSignature(alpha)).every(([layer, n]) => outChannels(layer) === n)) {
      const id = alpha === 0.35 ? 'mobilenet_v2_035' : alpha === 1 ? 'mobilenet_v2_100' : 'mobilenet_v2';
      return { backboneId: id, network: `MobileNetV2 (width ${alpha})` };
    }
  }
  return null;
}
