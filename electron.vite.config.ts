import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three builds: main (Node, dependencies stay external), preload (sandboxed: every dependency
// is bundled in, since a sandboxed preload cannot require packages) and the renderer (React).
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The compute process entry: ComputeHost looks for worker.js beside the main bundle
          // and the desktop app starts it as a utilityProcess.
          worker: resolve(__dirname, 'src/main/compute/worker.ts'),
          // Data-parallel training's worker threads (GradientWorkerPool looks for it beside worker.js).
          'gradient-worker': resolve(__dirname, 'src/main/compute/parallel/gradient-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      rollupOptions: {
        input: resolve(__dirname, 'src/renderer/index.html'),
      },
    },
  },
});
