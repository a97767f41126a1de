import { openDatabase } from '../../src/main/db/database';
const started = process.cpuUsage();
const t = performance.now();
const db = openDatabase(process.argv[2], { mustExist: true });
const cpu = process.cpuUsage(started);
console.log('migrated in', ((performance.now() - t) / 1000).toFixed(1), 's wall,', ((cpu.user + cpu.system) / 1e6).toFixed(1), 's CPU; schema', db.pragma('user_version', { simple: true }));
db.close();
