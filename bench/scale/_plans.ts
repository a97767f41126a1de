import BetterSqlite3 from 'better-sqlite3';
import { migrate } from '../../src/main/db/database';
import { pagePhotos } from '../../src/main/db/photo-query';
import { gridCases } from './latency';
const file = process.argv[2];
const seen: string[] = [];
const db = new BetterSqlite3(file, { verbose: (s) => seen.push(String(s)) });
db.pragma('foreign_keys = ON');
let t = performance.now();
migrate(db);
console.log('migrate ms', (performance.now() - t).toFixed(0));
const classIds = db.prepare('select id from classes order by position').pluck().all() as number[];
const runId = (db.prepare('select run_id from training_models where active = 1').pluck().get() as number) ?? 1;
for (const c of gridCases(classIds, runId)) {
  for (const offset of [0, 4800]) {
    seen.length = 0;
    const t0 = performance.now();
    const page = pagePhotos(db, { filter: c.filter, sort: c.sort, search: c.search ?? '' }, offset, 200);
    const ms = performance.now() - t0;
    const stmts = seen.filter((s) => /^SELECT (p\.id|sp\.photo_id)/.test(s.trim()));
    const plans = stmts.map((s) =>
      (db.prepare('EXPLAIN QUERY PLAN ' + s).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ')
    );
    console.log(`${c.name.padEnd(34)} @${offset} total ${page.total} items ${page.items.length} ${ms.toFixed(1)} ms`);
    if (offset === 0) for (const p of new Set(plans)) console.log('     ', p);
  }
}
