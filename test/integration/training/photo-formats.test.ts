/**
 * Every format the README promises is imported AND trained on: for each, a folder of that
 * format is added (classes from folder names), then a real training run (training process, TM
 * MobileNetV2 at 96 px) must compute features for every one of its photos. The BMP folder holds
 * one photo per BMP layout (every header version, bit depth, row order, bit fields, RLE).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/services/event-bus';
import { openSession, type ProjectSession } from '../../../src/main/services/project-session';
import { ThumbnailCache } from '../../../src/main/services/thumbnails';
import { createTrainingHandlers, type TrainingChannel } from '../../../src/main/services/training';
import { BMP_VARIANTS, encodeBmp } from '../../helpers/bmp-writer';
import { checkedHandlers, type CheckedHandlers } from '../../helpers/checked-handlers';
import { finishedRun, REPO_ROOT, TM_BASE } from './project-fixture';
import { drawSyntheticPhotos } from './synthetic-photos';

const FORMATS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'bmp'] as const;
type Format = (typeof FORMATS)[number];
/** Per class: 5 train + 1 val = 18 photos, one for each of the 18 BMP layouts. */
const PER_CLASS = 5;
const VAL_PER_CLASS = 1;

let dir: string;
let source: string;
let session: ProjectSession;
let events: EventBus;
let handlers: CheckedHandlers<TrainingChannel>;
let importedSoFar = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-formats-'));
  source = await drawSyntheticPhotos(path.join(dir, 'source'), { perClass: PER_CLASS, valPerClass: VAL_PER_CLASS, seed: 11 });
  events = new EventBus();
  session = openSession(path.join(dir, 'project.tstudio'), 'create', { events, thumbs: new ThumbnailCache(path.join(dir, 'cache')) });
  handlers = checkedHandlers(
    createTrainingHandlers({
      current: () => session,
      events,
      modelDirs: { modelsDir: path.join(REPO_ROOT, 'resources/models'), userModelsDir: path.join(dir, 'models') }
    })
  );
}, 120_000);

afterAll(() => {
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The source JPEGs (split/class/name.jpg) rewritten in `format` under <dir>/<format>/. Returns the folder and count. */
async function convertTo(format: Format): Promise<{ folder: string; count: number }> {
  const folder = path.join(dir, format);
  let count = 0;
  for (const split of readdirSync(source)) {
    for (const cls of readdirSync(path.join(source, split))) {
      mkdirSync(path.join(folder, split, cls), { recursive: true });
      for (const name of readdirSync(path.join(source, split, cls))) {
        const from = path.join(source, split, cls, name);
        const to = path.join(folder, split, cls, `${format}-${name.replace(/\.jpg$/, '')}.${format}`);
        await writeAs(format, from, to, count++);
      }
    }
  }
  return { folder, count };
}

async function writeAs(format: Format, from: string, to: string, index: number): Promise<void> {
  if (format === 'jpg') return copyFileSync(from, to);
  // Each format's own copy must differ from the others, or the import keeps only one (duplicates).
  const image = sharp(from).modulate({ brightness: 1 + FORMATS.indexOf(format) / 100 });
  if (format === 'bmp') {
    const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const variant = BMP_VARIANTS[index % BMP_VARIANTS.length];
    writeFileSync(to, encodeBmp(data, info.width, info.height, variant).file);
    return;
  }
  const encoders = {
    jpeg: () => image.jpeg(),
    png: () => image.png(),
    webp: () => image.webp(),
    gif: () => image.gif(),
    tif: () => image.tiff(),
    tiff: () => image.tiff()
  };
  const encoded = encoders[format]();
  await encoded.toFile(to);
}

describe('every promised photo format is imported and trained on', () => {
  it.each(FORMATS)(
    '%s',
    async (format) => {
      const { folder, count } = await convertTo(format);
      if (format === 'bmp') expect(count).toBe(BMP_VARIANTS.length);
      const result = await session.library.addFolder(folder, true);
      expect(result.skipped).toEqual([]);
      expect(result.added).toBe(count);

      const { runId } = await handlers['training:start']({
        backboneId: 'mobilenet_v2',
        weightsPath: TM_BASE,
        inputSize: 96,
        fineTune: false,
        seed: 42,
        head: 'gap'
      });
      const finished = await finishedRun(events, runId);
      expect(finished).toMatchObject({ status: 'completed', error: null });
      // Features for exactly this format's photos were computed (the earlier ones come from the cache).
      const run = await handlers['training:run']({ runId });
      expect({ computed: run.featuresComputed, cached: run.featuresCached }).toEqual({ computed: count, cached: importedSoFar });
      importedSoFar += count;
    },
    300_000
  );
});
