#!/usr/bin/env node
// CI on a fresh machine: puts the photos and weights the tests read into ../shared (beside the
// repository, where a developer's workspace keeps them; see its SOURCE.md files):
//   datasets/hymenoptera                  the PyTorch tutorial's ants/bees (398 photos)
//   models/mobilenet-v2-0.35-224-tm-base  a Teachable Machine MobileNetV2 0.35 base (TF.js)
// What is already there is kept. Downloads are checked (sha256, or the photo count) before use.
// Needs python (its zipfile module unpacks the dataset the same way on every OS).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const target = resolve(process.argv[2] ?? join(import.meta.dirname, '../../shared'));
const TM_COMMIT = 'https://raw.githubusercontent.com/An-JiYun/MaskNomask/11f948aa7bd5d38bbe5e5d905a2fd6363147e595/my_model';
const TM_FILES = {
  'model.json': '044aa3f25960ad05d8442321ca186b0c5fe730dc1e77d17155890714808bed59',
  'weights.bin': 'ef5dbff179e585f6ea114c3dc2c3517369d6ae052ec230a82169f2ff9ca35727',
  'metadata.json': '8c01168182c338cead12f442b8cf5a92c023e7ba773760f933e546b9d3cee01f'
};
const HYMENOPTERA_ZIP = 'https://download.pytorch.org/tutorial/hymenoptera_data.zip';
const HYMENOPTERA_PHOTOS = 398;

async function download(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function fetchTmBase() {
  const dir = join(target, 'models/mobilenet-v2-0.35-224-tm-base');
  if (existsSync(join(dir, 'weights.bin'))) return console.log(`kept ${dir}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, sha256] of Object.entries(TM_FILES)) {
    const bytes = await download(`${TM_COMMIT}/${name}`);
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== sha256) throw new Error(`${name}: sha256 ${got}, expected ${sha256}`);
    writeFileSync(join(dir, name), bytes);
  }
  console.log(`fetched ${dir}`);
}

function countFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(join(dir, e.name)) : 1), 0);
}

async function fetchHymenoptera() {
  const dir = join(target, 'datasets/hymenoptera');
  if (existsSync(join(dir, 'train'))) return console.log(`kept ${dir}`);
  const work = mkdtempSync(join(tmpdir(), 'hymenoptera-'));
  try {
    const zip = join(work, 'data.zip');
    writeFileSync(zip, await download(HYMENOPTERA_ZIP));
    const python = process.platform === 'win32' ? 'python' : 'python3';
    const unzip = spawnSync(python, ['-m', 'zipfile', '-e', zip, work], { stdio: 'inherit' });
    if (unzip.status !== 0) throw new Error(`${python} -m zipfile failed`);
    const root = join(work, 'hymenoptera_data');
    const photos = countFiles(root);
    if (photos !== HYMENOPTERA_PHOTOS) throw new Error(`hymenoptera has ${photos} files, expected ${HYMENOPTERA_PHOTOS}`);
    mkdirSync(dir, { recursive: true });
    for (const split of ['train', 'val']) renameSync(join(root, split), join(dir, split));
    console.log(`fetched ${dir}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await fetchTmBase();
await fetchHymenoptera();
