/**
 * `npm run bench:accuracy`: for every dataset under ../shared/datasets, the one-click training
 * (training:start with no options: exactly what `cli train` without flags asks for) against the
 * frozen-feature reference (scikit-learn's LogisticRegressionCV as an expert would run it:
 * MobileNetV2 features at 224 px, StandardScaler, Cs = 10 on 1e-4…1e4, 5-fold stratified CV
 * scored by accuracy, refit), then both again with 10 training photos per class. Prints
 * validation accuracy, macro-F1 and time per phase. The reference is also run on the features
 * the one-click run chose ("same features"). Fixtures (imported projects with their feature
 * caches) live in /tmp/tstudio-bench-accuracy and are reused. Asserts nothing.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiClient } from '../src/shared/contract';
import type { RunDetail } from '../src/shared/dto';
import { openDatabase } from '../src/main/db/database';
import { getCachedFeatures, putCachedFeatures } from '../src/main/db/training-feature-repository';
import { listClassNames, listTrainingPhotos } from '../src/main/db/training-repository';
import { initBackend, loadBackbone } from '../src/main/engine/index';
import { extractFeatures, extractorKey } from '../src/main/engine/trainer/features';
import { logisticRegressionCv, scoreGroups, SKLEARN_CS, type CvData } from '../src/main/engine/linear/logistic-cv';
import { tensorObjective } from '../src/main/engine/linear/softmax-tfjs';
import { predictSoftmax } from '../src/main/engine/linear/softmax-regression';
import { applyScaler, fitScaler } from '../src/main/engine/linear/standardize';
import { runPredictJob } from '../src/main/engine/trainer/predict-job';
import { createRng, shuffled } from '../src/main/engine/trainer/rng';
import { createApp, createDirectClient } from '../src/main/services/app';
import { localAppOptions } from '../src/main/server/app-options';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const DATASETS = path.resolve(REPO_ROOT, '../shared/datasets');
const FIXTURES = path.join(os.tmpdir(), 'tstudio-bench-accuracy');
const BUNDLED = path.join(REPO_ROOT, 'resources/models/mobilenet_v2_035');
const FEW = 10;

interface Photo {
  id: number;
  hash: string;
  path: string;
  classIndex: number;
  split: 'train' | 'val';
}

interface Row {
  dataset: string;
  setup: string;
  method: string;
  accuracy: number;
  macroF1: number;
  time: string;
  note: string;
}

const rows: Row[] = [];

async function main(): Promise<void> {
  mkdirSync(FIXTURES, { recursive: true });
  await initBackend();
  // BENCH_DATASETS=hymenoptera,… limits the run to some datasets.
  const only = process.env.BENCH_DATASETS?.split(',').filter(Boolean) ?? null;
  const all = readdirSync(DATASETS).filter((d) => existsSync(path.join(DATASETS, d, 'train')));
  for (const dataset of all.filter((d) => only === null || only.includes(d))) {
    await benchDataset(dataset);
  }
  printTable();
}

async function benchDataset(dataset: string): Promise<void> {
  const projectPath = path.join(FIXTURES, `${dataset}.tstudio`);
  const fresh = !existsSync(projectPath);
  const app = createApp(localAppOptions({ project: projectPath, userData: path.join(FIXTURES, 'user-data'), transport: 'direct' }));
  const api = createDirectClient(app);
  try {
    if (fresh) await api.invoke('folders:add', { path: path.join(DATASETS, dataset), classesFromFolders: true });
    const photos = labeledPhotos(projectPath);
    const train = photos.filter((p) => p.split === 'train');
    console.log(
      `${dataset}: ${train.length} train, ${photos.length - train.length} val photos; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`
    );
    await compare(api, projectPath, dataset, 'all training photos', photos);
    const few = fewPerClass(train);
    const fewIds = new Set(few.map((p) => p.id));
    const dropped = train.filter((p) => !fewIds.has(p.id));
    await api.invoke('labels:assign', { photoIds: dropped.map((p) => p.id), classId: null });
    try {
      await compare(api, projectPath, dataset, `${FEW} training photos per class`, [...few, ...photos.filter((p) => p.split === 'val')]);
    } finally {
      await restoreLabels(api, dropped);
    }
  } finally {
    app.close();
  }
}

async function compare(api: ApiClient, projectPath: string, dataset: string, setup: string, photos: Photo[]): Promise<void> {
  const run = await oneClick(api);
  const t = run.timings;
  const phases = t
    ? `choose ${t.choose?.toFixed(0) ?? '-'} s, features ${t.features.toFixed(0)} s, head ${t.train.toFixed(1)} s, fine-tune ${t.fineTune.toFixed(0)} s, total ${t.total.toFixed(0)} s`
    : '';
  const size = run.choices?.inputSize.value ?? run.config.inputSize;
  rows.push({
    dataset,
    setup,
    method: 'one-click',
    accuracy: run.valAccuracy ?? NaN,
    macroF1: mean(run.perClass.map((c) => c.f1)),
    time: phases,
    note: `${run.choices?.inputSize.reason ?? ''} | ${run.choices?.fineTune.reason ?? ''}${run.choices?.validation.note ? ` | ${run.choices.validation.note}` : ''}`
  });
  console.log(`  ${setup}: one-click ${pct(run.valAccuracy ?? NaN)} (${run.choices?.scales?.join('+') ?? size} px)`);
  // A multi-scale run's own evaluation uses the cached features (each size decoded by sharp); its
  // saved classifier resizes the smaller branch in the graph: measure what the saved model does.
  if (run.choices?.scales && run.modelPath) {
    rows.push({
      dataset,
      setup,
      method: 'one-click, saved model (re-predicted)',
      ...(await savedModel(run.modelPath, photos, run.classes.length))
    });
  }
  for (const refSize of [...new Set([224, size])]) {
    const ref = await reference(projectPath, photos, refSize, run.classes.length);
    rows.push({
      dataset,
      setup,
      method: `reference ${refSize} px${refSize === size && refSize !== 224 ? ' (same features)' : ''}`,
      ...ref
    });
    console.log(`  ${setup}: reference at ${refSize} px ${pct(ref.accuracy)}`);
  }
}

async function oneClick(api: ApiClient): Promise<RunDetail> {
  let runId = -1;
  const finished = new Promise<void>((resolve) => api.on('training:finished', (f) => f.runId === runId && resolve()));
  runId = (await api.invoke('training:start', {})).runId;
  await finished;
  const run = await api.invoke('training:run', { runId });
  if (run.status !== 'completed') throw new Error(`run ${runId} ${run.status}: ${run.error}`);
  return run;
}

/** The run's saved model folder on the validation photos, as `predict` runs it (ONNX Runtime, mirror averaged). */
async function savedModel(modelDir: string, photos: Photo[], k: number): Promise<Omit<Row, 'dataset' | 'setup' | 'method'>> {
  const val = photos.filter((p) => p.split === 'val');
  const t0 = performance.now();
  const out = await runPredictJob(
    { modelDir, items: val.map((p) => ({ photoId: p.id, path: p.path, hash: p.hash })), backend: 'auto' },
    { onProgress: () => undefined, shouldStop: () => false }
  );
  const byId = new Map((out?.predictions ?? []).map((p) => [p.photoId, p.classIndex] as const));
  const predicted = val.map((p) => byId.get(p.id) ?? -1);
  return {
    accuracy: mean(val.map((p, i) => (predicted[i] === p.classIndex ? 1 : 0))),
    macroF1: macroF1(
      val.map((p) => p.classIndex),
      predicted,
      k
    ),
    time: `predict ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    note: `${val.length} validation photos through the saved classifier`
  };
}

/** LogisticRegressionCV on view 0 (the photo itself, no mirror), features from the project's cache (computed once if missing). */
async function reference(
  projectPath: string,
  photos: Photo[],
  size: number,
  k: number
): Promise<Omit<Row, 'dataset' | 'setup' | 'method'>> {
  const t0 = performance.now();
  const { features, computed } = await featuresAt(projectPath, photos, size);
  const t1 = performance.now();
  const train = photos.filter((p) => p.split === 'train');
  const val = photos.filter((p) => p.split === 'val');
  const trainData = firstView(train, features, k);
  const scaler = fitScaler(trainData.design);
  const scaled: CvData = { ...trainData, design: applyScaler(scaler, trainData.design) };
  const cv = logisticRegressionCv(scaled, { cs: SKLEARN_CS, folds: 5, objective: tensorObjective });
  const valData = firstView(val, features, k);
  const valScaled: CvData = { ...valData, design: applyScaler(scaler, valData.design) };
  const { accuracy } = scoreGroups(cv.model, valScaled);
  const predicted = argmax(predictSoftmax(cv.model, valScaled.design), k);
  const t2 = performance.now();
  return {
    accuracy,
    macroF1: macroF1(
      val.map((p) => p.classIndex),
      predicted,
      k
    ),
    time: `features ${((t1 - t0) / 1000).toFixed(0)} s (${computed} computed), LogisticRegressionCV ${((t2 - t1) / 1000).toFixed(1)} s`,
    note: `C = ${cv.c.toPrecision(2)}, CV ${cv.cvAccuracy.toFixed(3)}`
  };
}

/** Features as the app caches them (photo + mirror, 224 px…), computing and storing what is missing. */
async function featuresAt(
  projectPath: string,
  photos: Photo[],
  size: number
): Promise<{ features: Map<string, Float32Array>; computed: number }> {
  const backbone = await loadBackbone({ id: 'mobilenet_v2_035', weightsPath: path.join(BUNDLED, 'model.json'), inputSize: size });
  const db = openDatabase(projectPath);
  try {
    const key = extractorKey(backbone, 'avg-flip');
    const features = getCachedFeatures(
      db,
      key,
      photos.map((p) => p.hash)
    );
    const missing = photos.filter((p) => !features.has(p.hash));
    const extracted = await extractFeatures(
      backbone,
      missing,
      { pooling: 'avg-flip', batchSize: 16 },
      { onBatch: () => undefined, shouldStop: () => false }
    );
    putCachedFeatures(
      db,
      key,
      [...extracted.features].map(([hash, data]) => ({ hash, data }))
    );
    for (const [hash, data] of extracted.features) features.set(hash, data);
    return { features, computed: extracted.features.size };
  } finally {
    db.close();
    backbone.dispose();
  }
}

function firstView(photos: Photo[], features: Map<string, Float32Array>, k: number): CvData {
  const usable = photos.filter((p) => features.has(p.hash));
  const d = (features.get(usable[0].hash) as Float32Array).length / 2;
  const x = new Float64Array(usable.length * d);
  usable.forEach((p, i) => x.set((features.get(p.hash) as Float32Array).subarray(0, d), i * d));
  return {
    design: { x, n: usable.length, d },
    targets: { y: Int32Array.from(usable.map((p) => p.classIndex)), k },
    group: Int32Array.from(usable.keys()),
    groups: usable.length
  };
}

/** Labeled photos with their content hash and path, read from the project (class order = panel order, as runs use). */
function labeledPhotos(projectPath: string): Photo[] {
  const db = openDatabase(projectPath);
  try {
    const index = new Map(listClassNames(db).map((c, i) => [c.id, i] as const));
    return listTrainingPhotos(db).flatMap((p) => {
      const split = p.split === 'train' || p.split === 'val' ? p.split : null;
      if (p.classId === null || split === null) return [];
      return [{ id: p.photoId, hash: p.hash, path: p.path, classIndex: index.get(p.classId) as number, split }];
    });
  } finally {
    db.close();
  }
}

function fewPerClass(train: Photo[]): Photo[] {
  const rng = createRng(42);
  const byClass = new Map<number, Photo[]>();
  for (const p of train) byClass.set(p.classIndex, [...(byClass.get(p.classIndex) ?? []), p]);
  return [...byClass.values()].flatMap((list) => shuffled(list, rng).slice(0, FEW));
}

async function restoreLabels(api: ApiClient, photos: Photo[]): Promise<void> {
  const classes = await api.invoke('classes:list');
  for (const [i, c] of classes.entries()) {
    const ids = photos.filter((p) => p.classIndex === i).map((p) => p.id);
    if (ids.length > 0) await api.invoke('labels:assign', { photoIds: ids, classId: c.id });
  }
}

function argmax(probs: Float64Array, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i * k < probs.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    out.push(best);
  }
  return out;
}

function macroF1(truth: number[], predicted: number[], k: number): number {
  const f1s: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = truth.filter((t, i) => t === c && predicted[i] === c).length;
    const fp = truth.filter((t, i) => t !== c && predicted[i] === c).length;
    const fn = truth.filter((t, i) => t === c && predicted[i] !== c).length;
    f1s.push(tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  }
  return mean(f1s);
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function printTable(): void {
  console.log(
    `\nbench:accuracy (load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`
  );
  console.log('| dataset | training photos | method | val accuracy | macro-F1 | time | why |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.dataset} | ${r.setup} | ${r.method} | ${pct(r.accuracy)} | ${r.macroF1.toFixed(3)} | ${r.time} | ${r.note} |`);
  }
}

await main();
