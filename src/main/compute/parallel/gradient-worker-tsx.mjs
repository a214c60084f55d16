// In a checkout the gradient worker is TypeScript. A worker thread started with
// `execArgv: ['--import', 'tsx']` does not get tsx's loader hooks on Node 20, so this small
// entry registers tsx inside the thread and then loads the real one. Built apps run
// gradient-worker.js directly and never use this file.
import { register } from 'tsx/esm/api';

register();
await import('./gradient-worker.ts');
