#!/usr/bin/env node
// `npm start`: builds Vessel Studio and opens the desktop app. Where the Electron binary
// cannot be had (CI, a firewall, a server), says so in one line and starts browser mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadProblem } from './download-problem.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const passThrough = process.argv.slice(2);

/** The Electron executable, downloading it once if missing; null when that is impossible here. */
function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  const installed = () => {
    if (!existsSync(pathFile)) return null;
    const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  };
  if (installed()) return installed();
  if (process.env.VESSEL_NO_ELECTRON === '1') return null;
  const download = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
  if (download.status !== 0) {
    process.stderr.write(
      `Electron's binary could not be downloaded (${downloadProblem(download)}): starting browser mode instead (VESSEL_NO_ELECTRON=1 skips the attempt).\n`,
    );
    return null;
  }
  return installed();
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const buildCode = await run(process.execPath, [
  path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
  'build',
]);
if (buildCode !== 0) {
  process.stderr.write('The build failed (see above): fix it, then run npm start again.\n');
  process.exit(buildCode);
}

const binary = electronBinary();
if (binary) {
  process.exit(await run(binary, ['.', ...passThrough]));
}
process.exit(
  await run(process.execPath, [
    '--import',
    'tsx',
    path.join(root, 'src/main/cli.ts'),
    'serve',
    ...passThrough,
  ]),
);
