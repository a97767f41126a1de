// The loader-thread half of record-modules.mjs: a resolve hook that records each resolution.
import { appendFileSync } from 'node:fs';

let file = '';

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(file, `esm ${specifier} ${result.url}\n`);
  return result;
}
