/**
 * Runs the ablation table of docs/ablation.md: trains every row of rows.ts with the same budget through the
 * `train` CLI (the compute process the app uses), scores each on the DRIVE test set with `eval
 * --fixed-only` (FOV, pooled over the 20 images, 1st manual, threshold 0.5), writes the results
 * file and prints the markdown table.
 *
 *   node --import tsx scripts/ablation/run.ts --out <folder> [--data <DRIVE>] [--results <file>] [--only a,b]
 *
 * Resumable: a row whose `<out>/<row>/result.json` exists is skipped; a row whose training
 * finished (train.json) is only scored; a row killed while training continues from its checkpoint.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ABLATION_BUDGET,
  AUGMENT_ON,
  ablationRows,
  budgetPatches,
  markdownTable,
  trainConfigFile,
  type AblationRow,
  type RowResult,
  type TestFigures,
} from './rows';
import { driveRoot } from '../../test/support/drive';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'src/main/cli.ts');

/** Files of one row inside the output folder. */
export function rowPaths(outRoot: string, id: string) {
  const dir = path.join(outRoot, id);
  return {
    dir,
    config: path.join(dir, 'config.json'),
    model: path.join(dir, 'model'),
    checkpointState: path.join(`${path.join(dir, 'model')}.checkpoint`, 'state.json'),
    train: path.join(dir, 'train.json'),
    evaluation: path.join(dir, 'eval.json'),
    result: path.join(dir, 'result.json'),
  };
}

/** What is left to do for a row, judged only from the files a previous run left behind. */
export type RowPlan =
  | { step: 'done' }
  | { step: 'evaluate' }
  | { step: 'train'; mode: 'fresh' | 'resume' | 'overwrite' };

/** Decides a row's next step from its folder, so a killed run loses at most the current epoch. */
export function planRow(outRoot: string, id: string): RowPlan {
  const p = rowPaths(outRoot, id);
  if (existsSync(p.result)) return { step: 'done' };
  if (existsSync(p.train)) return { step: 'evaluate' };
  if (existsSync(p.checkpointState)) return { step: 'train', mode: 'resume' };
  if (existsSync(p.model) && readdirSync(p.model).length > 0)
    return { step: 'train', mode: 'overwrite' };
  return { step: 'train', mode: 'fresh' };
}

/** Throws a message naming the folder when it is not a DRIVE root with both splits. */
export function checkDrive(root: string): void {
  const missing = ['training', 'test'].filter(
    (split) => !existsSync(path.join(root, split, 'images')),
  );
  if (missing.length > 0) {
    throw new Error(
      `DRIVE not found at ${root}: ${missing.map((s) => `${s}/images`).join(' and ')} missing. ` +
        'Unpack DRIVE there (training/ and test/ with images, 1st_manual and mask) or pass --data <DRIVE folder>.',
    );
  }
}

/** Runs the CLI in a child process (same node, same nice), stderr relayed with a prefix; returns stdout. */
function runCli(args: string[], label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines)
        if (line.trim() !== '') process.stderr.write(`[${label}] ${line}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending.trim() !== '') process.stderr.write(`[${label}] ${pending}\n`);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${label}: \`cli ${args.join(' ')}\` exited with ${code}`));
    });
  });
}

interface TrainSummaryJson {
  status: string;
  seconds: number;
  bestEpoch: number | null;
  backend: string;
  parameters: number;
}

interface EvalJson {
  primary: (TestFigures & { protocol: string }) | null;
}

async function runRow(row: AblationRow, outRoot: string, data: string): Promise<RowResult> {
  const p = rowPaths(outRoot, row.id);
  mkdirSync(p.dir, { recursive: true });
  const plan = planRow(outRoot, row.id);
  if (plan.step === 'done') return JSON.parse(readFileSync(p.result, 'utf8')) as RowResult;

  if (plan.step === 'train') {
    writeFileSync(p.config, `${JSON.stringify(trainConfigFile(row), null, 2)}\n`);
    const args =
      plan.mode === 'resume'
        ? ['train', '--data', data, '--out', p.model, '--resume', '--json']
        : [
            'train',
            '--data',
            data,
            '--out',
            p.model,
            '--config',
            p.config,
            '--json',
            ...(plan.mode === 'overwrite' ? ['--overwrite'] : []),
          ];
    console.error(`[${row.id}] training (${plan.mode})`);
    const summary = JSON.parse(await runCli(args, row.id)) as TrainSummaryJson;
    if (summary.status !== 'completed') {
      throw new Error(
        `${row.id}: training ended "${summary.status}" instead of running the whole budget; rerun to resume it`,
      );
    }
    writeFileSync(p.train, `${JSON.stringify(summary, null, 2)}\n`);
  }

  console.error(`[${row.id}] scoring on the DRIVE test set`);
  const evalStarted = Date.now();
  const evaluation = JSON.parse(
    await runCli(
      ['eval', '--data', data, '--model', p.model, '--fixed-only', '--json'],
      `${row.id} eval`,
    ),
  ) as EvalJson;
  const evalSeconds = (Date.now() - evalStarted) / 1000;
  writeFileSync(p.evaluation, `${JSON.stringify(evaluation, null, 2)}\n`);
  const primary = evaluation.primary;
  if (!primary) throw new Error(`${row.id}: eval gave no FOV/pooled/t0.5 row`);

  const summary = JSON.parse(readFileSync(p.train, 'utf8')) as TrainSummaryJson;
  const result: RowResult = {
    id: row.id,
    title: row.title,
    ablates: row.ablates,
    preset: row.preset,
    model: row.model,
    training: row.training,
    parameters: summary.parameters,
    patches: budgetPatches(row.training),
    status: summary.status,
    trainSeconds: summary.seconds,
    evalSeconds,
    bestEpoch: summary.bestEpoch,
    backend: summary.backend,
    test: {
      auc: primary.auc,
      f1: primary.f1,
      recall: primary.recall,
      specificity: primary.specificity,
      accuracy: primary.accuracy,
      precision: primary.precision,
    },
    finishedAt: new Date().toISOString(),
  };
  writeFileSync(p.result, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'scripts/ablation'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? head : `${head} (with uncommitted changes)`;
  } catch {
    return null;
  }
}

/** The results of the rows that have a result.json, in row order. */
export function finishedResults(outRoot: string, rows: readonly AblationRow[]): RowResult[] {
  return rows
    .filter((r) => planRow(outRoot, r.id).step === 'done')
    .map((r) => JSON.parse(readFileSync(rowPaths(outRoot, r.id).result, 'utf8')) as RowResult);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      results: { type: 'string' },
      only: { type: 'string' },
    },
  });
  if (values.out === undefined) {
    console.error(
      'usage: node --import tsx scripts/ablation/run.ts --out <folder> [--data <DRIVE>] [--results <file>] [--only <row,row>]',
    );
    return 2;
  }
  const data = path.resolve(values.data ?? driveRoot());
  try {
    checkDrive(data);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const outRoot = path.resolve(values.out);
  const resultsFile = path.resolve(values.results ?? path.join(REPO, 'docs/ablation.json'));
  const rows = ablationRows();
  const wanted = values.only?.split(',').map((s) => s.trim()) ?? rows.map((r) => r.id);
  const unknown = wanted.filter((id) => !rows.some((r) => r.id === id));
  if (unknown.length > 0) {
    console.error(
      `--only: unknown row(s) ${unknown.join(', ')}; rows are ${rows.map((r) => r.id).join(', ')}`,
    );
    return 2;
  }

  const failures: string[] = [];
  for (const row of rows.filter((r) => wanted.includes(r.id))) {
    try {
      await runRow(row, outRoot, data);
      console.error(`[${row.id}] done`);
    } catch (error) {
      // One failed row must not cost the others their budget; it is reported and retried next run.
      failures.push(`${row.id}: ${(error as Error).message}`);
      console.error(`[${row.id}] FAILED: ${(error as Error).message}`);
    }
  }

  // Every finished row on disk, also those a --only run skipped, in the table's order.
  const results = finishedResults(outRoot, rows);
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  const document = {
    protocol:
      'DRIVE test set, inside the FOV, pooled over the 20 images, 1st manual, threshold 0.5 (eval --fixed-only)',
    budget: {
      ...ABLATION_BUDGET,
      patches: budgetPatches(ABLATION_BUDGET),
      augmentOn: AUGMENT_ON,
    },
    command: ['node --import tsx scripts/ablation/run.ts', ...process.argv.slice(2)].join(' '),
    /** The commit the rows ran from (the runner is meant to run from a clean checkout of it). */
    commit: gitCommit(),
    rows: results,
    missing: rows.filter((r) => !results.some((x) => x.id === r.id)).map((r) => r.id),
    writtenAt: new Date().toISOString(),
  };
  writeFileSync(resultsFile, `${JSON.stringify(document, null, 2)}\n`);
  console.log(markdownTable(results));
  console.error(`results: ${resultsFile}`);
  if (failures.length > 0) {
    console.error(`unfinished rows:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
