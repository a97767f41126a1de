#!/usr/bin/env node
/**
 * Makes the bundled MobileNetV2-0.35 base (resources/models/mobilenet_v2_035/) from a Teachable
 * Machine image-model export: keeps its first sub-model (the ImageNet MobileNetV2 cut at out_relu,
 * then global average pooling) and drops the third-party head that follows it, in both the
 * topology and the weight bytes. Byte copies only: every kept weight is the same float32 bytes.
 *
 *   node scripts/strip-tm-head.mjs ../shared/models/mobilenet-v2-0.35-224-tm-base resources/models/mobilenet_v2_035
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write('usage: node scripts/strip-tm-head.mjs <tm-export-folder> <out-folder>\n');
  process.exit(2);
}

const json = JSON.parse(readFileSync(path.join(from, 'model.json'), 'utf8'));
const outer = json.modelTopology;
const [base, ...rest] = outer.config.layers;
if (base?.class_name !== 'Sequential' || rest.length !== 1) {
  throw new Error('expected a Teachable Machine export: Sequential[Sequential(base), Sequential(head)]');
}
const headLayers = new Set(rest[0].config.layers.map((l) => l.config.name));
const groups = json.weightsManifest;
if (groups.length !== 1) throw new Error('expected one weights group');
const data = Buffer.concat(groups[0].paths.map((p) => readFileSync(path.join(from, p))));

const bytes = (spec) => spec.shape.reduce((a, b) => a * b, 1) * 4;
const kept = [];
const parts = [];
let offset = 0;
for (const spec of groups[0].weights) {
  if (spec.dtype !== 'float32' || spec.quantization) throw new Error(`unexpected weight type for ${spec.name}`);
  const size = bytes(spec);
  const layer = spec.name.slice(0, spec.name.lastIndexOf('/'));
  if (!headLayers.has(layer)) {
    kept.push(spec);
    parts.push(data.subarray(offset, offset + size));
  }
  offset += size;
}
if (offset !== data.length) throw new Error(`weights hold ${data.length} bytes, the manifest ${offset}`);

const stripped = {
  modelTopology: { class_name: 'Sequential', config: base.config, keras_version: outer.keras_version, backend: outer.backend },
  format: 'layers-model',
  generatedBy: 'scripts/strip-tm-head.mjs (Teachable Machine export, third-party head removed)',
  convertedBy: null,
  weightsManifest: [{ paths: ['weights.bin'], weights: kept }]
};
mkdirSync(to, { recursive: true });
writeFileSync(path.join(to, 'model.json'), JSON.stringify(stripped));
const weights = Buffer.concat(parts);
writeFileSync(path.join(to, 'weights.bin'), weights);
process.stdout.write(
  `kept ${kept.length} of ${groups[0].weights.length} weights, ${weights.length} bytes (dropped ${[...headLayers].join(', ')})\n`
);
