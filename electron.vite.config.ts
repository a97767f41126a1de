// Builds the Electron main process, the sandboxed preload (CommonJS) and the renderer.
import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/electron/index.ts'),
          'training-worker': resolve(import.meta.dirname, 'src/main/worker/entry.ts'),
          // Import worker threads (src/main/imaging/photo-workers.ts loads ./photo-worker.js).
          'photo-worker': resolve(import.meta.dirname, 'src/main/imaging/photo-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload can only require 'electron': bundle zod and the contract into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [vue()],
    build: { rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') } }
  }
});
