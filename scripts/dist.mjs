#!/usr/bin/env node
/**
 * `npm run dist [-- <electron-builder platform flags>]`: builds the app with electron-vite and
 * packages it with electron-builder (electron-builder.yml). Packaging needs the Electron
 * binary, which the electron package downloads from GitHub on first use, outside the npm
 * registry. Where that download is impossible (CI, a firewall), this stops with one clear
 * message instead of a stack trace. `--offline` skips the download attempt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const offline = args.includes('--offline') || process.env.VESSEL_DIST_OFFLINE === '1';
const builderArgs = args.filter((arg) => arg !== '--offline');

/** The electron package's folder, found without loading it (loading it starts the download). */
function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
}

/** The Electron binary's path when it is present and of the installed version, else null. */
function installedElectron(packageDir) {
  if (packageDir === null) return null;
  try {
    const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    const installed = readFileSync(path.join(packageDir, 'dist', 'version'), 'utf8');
    if (installed.trim().replace(/^v/, '') !== version) return null;
    const executable = readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim();
    const binary = path.join(packageDir, 'dist', executable);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function stop(reason) {
  process.stderr.write(
    `npm run dist: cannot package: ${reason} Packaging needs the Electron binary, which is ` +
      'downloaded from GitHub (not the npm registry); run `npm run dist` where that download ' +
      'works, or place the binary with `npx install-electron` there first.\n',
  );
  process.exit(1);
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', shell: false });
  if (result.error) stop(`${command} could not start (${result.error.message}).`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const packageDir = electronPackageDir();
if (packageDir === null) stop('the electron package is not installed (run `npm ci` first).');
let binary = installedElectron(packageDir);
if (binary === null && !offline) {
  process.stderr.write('npm run dist: the Electron binary is missing; trying to download it...\n');
  const download = spawnSync(process.execPath, [path.join(packageDir, 'install.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
    encoding: 'utf8',
  });
  binary = installedElectron(packageDir);
  if (binary === null) {
    const why = (download.stderr ?? '').split('\n').find((line) => /error/i.test(line));
    stop(`the Electron binary could not be downloaded${why ? ` (${why.trim()})` : ''}.`);
  }
}
if (binary === null) stop(`the Electron binary is not in ${path.join(packageDir, 'dist')}.`);

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
run(bin('electron-vite'), ['build']);
// The local Electron serves the host platform; other platforms' builds are downloaded by
// electron-builder itself.
const hostOnly = builderArgs.every(
  (arg) => !/^--(mac|win|linux|macos|windows)$|^-[mwl]+$/.test(arg),
);
run(bin('electron-builder'), [
  '--config',
  'electron-builder.yml',
  ...(hostOnly ? [`-c.electronDist=${path.dirname(binary)}`] : []),
  ...builderArgs,
]);
