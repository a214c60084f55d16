/**
 * The Electron main process entry (built to out/main/index.js). Everything lives in
 * lifecycle.ts; this file only says where the built pieces are.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { startDesktopApp } from './shell/lifecycle';

const mainDir = path.dirname(fileURLToPath(import.meta.url));

startDesktopApp({
  rendererDir: path.join(mainDir, '../renderer'),
  preloadPath: path.join(mainDir, '../preload/index.cjs'),
  // Packaged: extraResources land in the app's resources folder; in a checkout, resources/.
  resourcesDir: app.isPackaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources'),
}).catch((error: unknown) => {
  console.error(error);
  app.exit(1);
});
