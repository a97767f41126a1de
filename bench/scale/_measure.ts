import path from 'node:path';
import { createApp } from '../../src/main/services/app';
import { localAppOptions } from '../../src/main/server/app-options';
import { gridCases, medianMs, pageLatency } from './latency';
import { seedTrainedModel } from './seed-model';
const work = process.argv[2];
const file = path.join(work, 'p.tstudio');
const seeded = process.argv[3] === 'seed' ? seedTrainedModel(file) : null;
console.log('seeded', seeded);
const app = { ...createApp({ ...localAppOptions({ project: file, userData: work, transport: 'direct' }), rescanOnOpen: false }) };
const runId = seeded?.runId ?? Number(process.argv[4] ?? 1);
const classIds = ((await app.dispatch('classes:list', {})) as any).data.map((c: any) => c.id);
for (const ch of ['stats:get', 'folders:list', 'classes:list'] as const) console.log(ch, (await medianMs(app, ch, {})).toFixed(2));
console.log('predictions:list', (await medianMs(app, 'predictions:list', { limit: 1 })).toFixed(2));
console.log('predictions:list class', (await medianMs(app, 'predictions:list', { limit: 1, classId: classIds[0] })).toFixed(2));
for (const c of gridCases(classIds, runId)) {
  const r = await pageLatency(app, c);
  console.log(
    c.name.padEnd(34),
    String(r.total).padStart(7),
    r.first.toFixed(1).padStart(7),
    r.middle.toFixed(1).padStart(7),
    r.last.toFixed(1).padStart(7)
  );
}
app.close();
