// `node --import tsx --import ./record-modules.mjs …` with TS_RECORD_MODULES=<file>: appends a
// line to that file for every module the process resolves, through the ESM loader (a resolve
// hook) or CommonJS require (which Node 20 does not pass through ESM hooks). Registered after
// tsx, the hook sees every specifier before tsx resolves it. Used to prove which modules a
// process never loads.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.TS_RECORD_MODULES;
if (!file) throw new Error('record-modules.mjs needs TS_RECORD_MODULES=<file>');

register('./record-modules-hooks.mjs', import.meta.url, { data: { file } });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const resolved = resolveFilename.call(this, request, ...rest);
  appendFileSync(file, `cjs ${request} ${resolved}\n`);
  return resolved;
};
