/**
 * A bad-input run of the command line: each case hands one command something broken (a corrupt,
 * truncated, empty or enormous image, a FIFO, a link to /dev/zero, a gzip bomb, a folder that is
 * not a dataset, a damaged model or project file, an impossible option) and checks that the
 * command ends within its limit, with exit code 2 (bad input, the reason named), and without a
 * stack trace. Prints one JSON object: the cases, each with its exit code and first line of
 * error, and the totals. Exits 1 if any case failed.
 *
 *   npx tsx scripts/bad-input-run.ts [--timeout-seconds 90]
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { writeDrive } from '../src/main/engine/dataset/synthetic-datasets';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Case {
  name: string;
  args: string[];
}

interface Outcome {
  name: string;
  args: string[];
  exitCode: number | null;
  seconds: number;
  timedOut: boolean;
  stackTrace: boolean;
  error: string;
  ok: boolean;
}

/** A PNG of `width` x `height` whose header is valid and whose pixels are a few zero bytes. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function prepare(dir: string): Promise<Case[]> {
  const drive = (name: string) => path.join(dir, name);
  // Datasets, each broken in one way.
  await writeDrive(drive('truncated'));
  await truncate(path.join(drive('truncated'), 'test/images/01_test.tif'), 100);
  await writeDrive(drive('empty-image'));
  await writeFile(path.join(drive('empty-image'), 'training/images/21_training.tif'), '');
  await writeDrive(drive('fifo'));
  const fifo = path.join(dir, 'a.fifo');
  execFileSync('mkfifo', [fifo]);
  await rm(path.join(drive('fifo'), 'training/images/22_training.tif'));
  await symlink(fifo, path.join(drive('fifo'), 'training/images/22_training.tif'));
  await mkdir(drive('not-a-dataset'));
  await writeFile(path.join(drive('not-a-dataset'), 'notes.txt'), 'not images');

  // Single files.
  const file = (name: string) => path.join(dir, 'files', name);
  await mkdir(path.join(dir, 'files'));
  await writeFile(file('random.png'), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251)));
  await writeFile(file('empty.png'), '');
  await symlink('/dev/zero', file('zero.png'));
  await writeFile(
    file('bomb.ppm.gz'),
    gzipSync(Buffer.concat([Buffer.from('P5\n40000 40000\n255\n'), Buffer.alloc(64 * 2 ** 20)])),
  );
  await writeFile(file('huge.png'), pngHeaderOnly(16000, 16000));
  await writeFile(file('huge.pgm'), Buffer.from('P5\n100000 100000\n255\n'));
  await writeFile(file('not-sqlite.vessel'), 'this is not a project');
  await writeFile(file('empty.vessel'), '');
  const brokenModel = path.join(dir, 'model');
  await mkdir(brokenModel);
  await writeFile(path.join(brokenModel, 'vessel.json'), '{"format": "vessel-studio-model"');
  const out = path.join(dir, 'out');

  return [
    { name: 'inspect: no such folder', args: ['inspect', path.join(dir, 'missing')] },
    { name: 'inspect: not a dataset', args: ['inspect', drive('not-a-dataset')] },
    { name: 'inspect: a file, not a folder', args: ['inspect', file('random.png')] },
    { name: 'eval: truncated test image', args: ['eval', '--data', drive('truncated')] },
    { name: 'eval: empty training image', args: ['eval', '--data', drive('empty-image')] },
    { name: 'eval: no such split', args: ['eval', '--data', drive('truncated'), '--split', 'x'] },
    { name: 'eval: not a dataset', args: ['eval', '--data', drive('not-a-dataset')] },
    {
      name: 'train: link to a FIFO',
      args: ['train', '--data', drive('fifo'), '--out', `${out}-fifo`, '--epochs', '1'],
    },
    {
      name: 'train: empty training image',
      args: ['train', '--data', drive('empty-image'), '--out', `${out}-empty`, '--epochs', '1'],
    },
    {
      name: 'train: negative epochs',
      args: ['train', '--data', drive('truncated'), '--out', `${out}-neg`, '--epochs=-3'],
    },
    {
      name: 'train: unknown architecture',
      args: ['train', '--data', drive('truncated'), '--out', `${out}-arch`, '--arch', 'resnet'],
    },
    ...(
      [
        ['corrupt image', 'random.png'],
        ['empty image', 'empty.png'],
        ['link to /dev/zero', 'zero.png'],
        ['gzip bomb', 'bomb.ppm.gz'],
        ['16000x16000 PNG', 'huge.png'],
        ['100000x100000 PGM header', 'huge.pgm'],
      ] as const
    ).map(([what, name]) => ({
      name: `predict: ${what}`,
      args: ['predict', '--input', file(name), '--out', path.join(dir, `${name}.out.png`)],
    })),
    {
      name: 'predict: damaged model folder',
      args: [
        'predict',
        '--model',
        brokenModel,
        '--input',
        path.join(drive('empty-image'), 'test/images/01_test.tif'),
        '--out',
        path.join(dir, 'model.out.png'),
      ],
    },
    { name: 'project info: not a project', args: ['project', 'info', file('not-sqlite.vessel')] },
    { name: 'project info: empty file', args: ['project', 'info', file('empty.vessel')] },
    {
      name: 'project create: not a dataset',
      args: ['project', 'create', path.join(dir, 'p.vessel'), '--data', drive('not-a-dataset')],
    },
  ];
}

function runCase(c: Case, timeoutSeconds: number): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...c.args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = `${stderr}\n${stdout}`;
      const stackTrace = /\n\s+at .+\(?.+:\d+:\d+\)?/.test(text);
      // The reason the command gave (Dawn's own warnings, printed while the GPU is probed, aside).
      const lines = stderr.split('\n').map((line) => line.trim());
      const error =
        lines.find((line) => /^error\b/i.test(line)) ??
        lines.find((line) => line !== '' && !line.startsWith('Warning:')) ??
        '';
      resolve({
        name: c.name,
        args: c.args,
        exitCode: code,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        timedOut,
        stackTrace,
        error: error.slice(0, 300),
        ok: !timedOut && code === 2 && !stackTrace,
      });
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'timeout-seconds': { type: 'string', default: '90' } },
    strict: true,
  });
  const timeoutSeconds = Number(values['timeout-seconds']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-bad-input-'));
  try {
    const cases = await prepare(dir);
    const outcomes: Outcome[] = [];
    for (const c of cases) {
      const outcome = await runCase(c, timeoutSeconds);
      process.stderr.write(
        `${outcome.ok ? 'ok  ' : 'FAIL'} ${c.name}: exit ${outcome.exitCode} in ${outcome.seconds} s${outcome.timedOut ? ' (timed out)' : ''}${outcome.stackTrace ? ' (stack trace)' : ''}\n`,
      );
      outcomes.push(outcome);
    }
    const failed = outcomes.filter((o) => !o.ok);
    process.stdout.write(
      `${JSON.stringify({
        date: new Date().toISOString(),
        cases: outcomes.length,
        exitCode2: outcomes.filter((o) => o.exitCode === 2).length,
        stackTraces: outcomes.filter((o) => o.stackTrace).length,
        timedOut: outcomes.filter((o) => o.timedOut).length,
        failed: failed.map((o) => o.name),
        outcomes,
      })}\n`,
    );
    return failed.length === 0 ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
