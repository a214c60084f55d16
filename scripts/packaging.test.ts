/**
 * The packaging configuration, checked without building: electron-builder.yml parses, passes
 * electron-builder's own schema, and asks for every target, unpacked native module, resource,
 * file association and icon the desktop app needs. And `npm run dist` stops with one clear
 * message where the Electron binary is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// js-yaml comes with electron-builder (which reads its YAML with it); it ships no types.
const yaml = require('js-yaml') as { load(text: string): unknown };
const builderConfig = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(
    config: unknown,
    logger: { isEnabled: boolean; add(): void },
  ): Promise<void>;
};

interface TargetEntry {
  target: string;
  arch?: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  fileAssociations: Array<{ ext: string; name: string; role?: string; mimeType?: string }>;
  linux: {
    target: Array<string | TargetEntry>;
    icon: string;
    mimeTypes: string[];
    maintainer: string;
  };
  win: { target: Array<string | TargetEntry>; icon: string };
  mac: { target: Array<string | TargetEntry>; icon: string; entitlements: string };
  electronFuses: Record<string, boolean>;
}

// How electron-builder turns `electronFuses` into @electron/fuses' configuration, and the
// library that flips them in the binary: both as `npm run dist` runs them.
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: {
    prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>> };
  };
};
const fuses = require('@electron/fuses') as {
  flipFuses(file: string, config: Record<string, unknown>): Promise<number>;
  getCurrentFuseWire(file: string): Promise<Record<string, number>>;
  FuseV1Options: Record<string, number>;
};

const configText = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
const config = yaml.load(configText) as BuilderConfig;

function targets(list: Array<string | TargetEntry>): TargetEntry[] {
  return list.map((entry) => (typeof entry === 'string' ? { target: entry } : entry));
}

/** Files under a folder whose names match, as paths relative to the repository. */
function filesUnder(folder: string, match: RegExp): string[] {
  const absolute = path.join(root, folder);
  if (!existsSync(absolute)) return [];
  return (readdirSync(absolute, { recursive: true }) as string[])
    .filter((file) => match.test(file))
    .map((file) => path.posix.join(folder, file.split(path.sep).join('/')));
}

function unpacked(file: string): boolean {
  return config.asarUnpack.some((pattern) => minimatch(file, pattern, { dot: true }));
}

describe('electron-builder.yml', () => {
  it('is valid for electron-builder itself (its schema, as `electron-builder` checks it)', async () => {
    await expect(
      builderConfig.validateConfiguration(config, { isEnabled: false, add() {} }),
    ).resolves.toBeUndefined();
    // The validator does refuse a wrong configuration, so passing it means something.
    await expect(
      builderConfig.validateConfiguration(
        { ...config, linux: { targett: 'AppImage' } },
        { isEnabled: false, add() {} },
      ),
    ).rejects.toThrow(/configuration/i);
  });

  it('builds AppImage and deb, nsis, and dmg for arm64 and x64', () => {
    expect(targets(config.linux.target).map((t) => t.target)).toEqual(['AppImage', 'deb']);
    // electron-builder refuses a deb without a maintainer.
    expect(config.linux.maintainer).toMatch(/^.+ <.+@.+>$/);
    expect(targets(config.win.target).map((t) => t.target)).toEqual(['nsis']);
    const dmg = targets(config.mac.target).find((t) => t.target === 'dmg');
    expect(dmg?.arch?.sort()).toEqual(['arm64', 'x64']);
  });

  it('packs the built app in an asar archive and unpacks every native module', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain('out/**');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      main: string;
    };
    expect(config.files.some((pattern) => minimatch(pkg.main.replace(/^\.\//, ''), pattern))).toBe(
      true,
    );
    for (const pkgName of [
      'sqlite3',
      'sharp',
      '@img',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
    ]) {
      expect(unpacked(`node_modules/${pkgName}/build/Release/binding.node`), pkgName).toBe(true);
    }
    expect(unpacked('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')).toBe(
      true,
    );
    // Only the .wasm files of the wasm backend, not its JavaScript.
    expect(unpacked('node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js')).toBe(
      false,
    );
    expect(unpacked('node_modules/webgpu/dist/win32-x64/dawn.node')).toBe(true);
    expect(unpacked('node_modules/webgpu/dist/darwin-universal/dawn.node')).toBe(true);
    expect(unpacked('node_modules/webgpu/index.js')).toBe(false);
    expect(unpacked('node_modules/react/index.js')).toBe(false);
  });

  it('unpacks the native files actually installed here', () => {
    const installed = [
      ...filesUnder('node_modules/sqlite3', /\.node$/),
      ...filesUnder('node_modules/@img', /\.(node|so(\.\d+)*|dylib|dll)$/),
      ...filesUnder('node_modules/@tensorflow/tfjs-backend-wasm/dist', /\.wasm$/),
      ...filesUnder('node_modules/webgpu/dist', /\.(node|dll)$/),
    ];
    expect(installed.length).toBeGreaterThan(3);
    expect(installed.filter((file) => !unpacked(file))).toEqual([]);
  });

  it("flips Electron's fuses so the installed app runs only its own code", async () => {
    // A stand-in for Electron's binary: its fuse wire as Electron 45 ships it (the sentinel,
    // wire version 1, eight fuses; '1' on, '0' off), where @electron/fuses looks for it.
    const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
    const shipped = '10110001';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fuses-'));
    const binary = path.join(dir, 'electron');
    try {
      writeFileSync(
        binary,
        Buffer.concat([
          Buffer.from('\x7fELF padding before the wire'),
          Buffer.from(SENTINEL),
          Buffer.from([1, shipped.length]),
          Buffer.from(shipped),
          Buffer.from('padding after'),
        ]),
      );
      const fuseConfig = await PlatformPackager.prototype.generateFuseConfig(config.electronFuses);
      await fuses.flipFuses(binary, fuseConfig);
      const wire = await fuses.getCurrentFuseWire(binary);
      const on = (name: string) => String.fromCharCode(wire[fuses.FuseV1Options[name]!]!);
      expect(on('RunAsNode')).toBe('0');
      expect(on('EnableNodeOptionsEnvironmentVariable')).toBe('0');
      expect(on('EnableNodeCliInspectArguments')).toBe('0');
      expect(on('EnableEmbeddedAsarIntegrityValidation')).toBe('1');
      expect(on('OnlyLoadAppFromAsar')).toBe('1');
      // The renderer's module scripts load over file:// (loadFile): keep those privileges.
      expect(on('GrantFileProtocolExtraPrivileges')).toBe('1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // electron-builder's schema refuses a misspelt fuse, so a typo cannot leave one unset.
    await expect(
      builderConfig.validateConfiguration(
        { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } },
        { isEnabled: false, add() {} },
      ),
    ).rejects.toThrow(/configuration/i);
  });

  it('lets the main process start no Node child that needs the RunAsNode fuse', () => {
    // With RunAsNode off, child_process.fork of Electron's binary fails: the shell must start
    // the compute process as a utilityProcess.
    const shellFiles = filesUnder('src/main/shell', /^[^/]*(?<!\.test)\.ts$/);
    expect(shellFiles.length).toBeGreaterThan(3);
    for (const file of shellFiles) {
      expect(readFileSync(path.join(root, file), 'utf8'), file).not.toMatch(
        /from 'node:child_process'|ELECTRON_RUN_AS_NODE/,
      );
    }
  });

  it('keeps macOS library validation on (no disable-library-validation entitlement)', () => {
    const entitlements = readFileSync(path.join(root, config.mac.entitlements), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
    expect(entitlements).not.toContain('disable-library-validation');
  });

  it('ships the pretrained models as resources beside the archive', () => {
    expect(config.extraResources).toContainEqual(
      expect.objectContaining({ from: 'resources/models', to: 'models' }),
    );
  });

  it('associates .vessel files with the app', () => {
    const association = config.fileAssociations.find((a) => a.ext === 'vessel');
    expect(association).toMatchObject({ name: 'Vessel Studio Project', role: 'Editor' });
    expect(config.linux.mimeTypes).toContain(association?.mimeType);
  });

  it('points every platform at an icon that exists, in the sizes it needs', async () => {
    const linuxDir = path.join(root, config.linux.icon);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const meta = await sharp(path.join(linuxDir, `${size}x${size}.png`)).metadata();
      expect([meta.width, meta.height]).toEqual([size, size]);
    }
    expect(existsSync(path.join(root, config.win.icon))).toBe(true);
    expect(existsSync(path.join(root, config.mac.icon))).toBe(true);
    expect(existsSync(path.join(root, config.mac.entitlements))).toBe(true);
    const source = await sharp(path.join(root, 'build/icon.png')).metadata();
    expect([source.width, source.height]).toEqual([1024, 1024]);
  });
});

describe('npm run dist', () => {
  const electronDir = path.join(root, 'node_modules/electron');
  const binaryPresent =
    existsSync(path.join(electronDir, 'path.txt')) &&
    existsSync(
      path.join(
        electronDir,
        'dist',
        readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim(),
      ),
    );

  it.skipIf(binaryPresent)(
    'stops with one clear message where the Electron binary is missing',
    () => {
      const result = spawnSync(process.execPath, ['scripts/dist.mjs', '--offline'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^npm run dist: cannot package: the Electron binary is not in /);
      expect(lines[0]).toContain('npx install-electron');
      expect(result.stdout).toBe('');
      // Nothing was built on the way.
      expect(existsSync(path.join(root, 'dist'))).toBe(false);
    },
  );
  if (binaryPresent)
    console.log('Electron binary present: the missing-binary path of dist is not exercised.');
});
