/**
 * The CLI runner: global flags, per-command --help, --json discipline (exactly one JSON object
 * on stdout, everything else on stderr) and exit codes (0 success, 2 bad input, 1 otherwise).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { AppError, COMMON_ERROR_CODES } from '../../shared/result';
import { createEngine, type Engine } from '../engine';
import { parseBackendName } from '../compute/backends';
import type { EngineOptions } from '../engine/context';
import { UsageError, type CliCommand, type CliIo, type CliOption } from './command';
import { commands as defaultCommands } from './commands';
import { appVersion, findAppRoot } from './app-root';
import { createProgress, type ProgressStream } from './progress';

export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
}

const GLOBAL_OPTIONS: Record<string, CliOption> = {
  json: { type: 'boolean', description: 'Print exactly one JSON object on stdout.' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
  backend: {
    type: 'string',
    valueName: '<name>',
    description:
      'Force the compute backend: tensorflow-gpu, webgpu, tensorflow, wasm or cpu (also VESSEL_BACKEND).',
  },
};

function optionHelp(name: string, option: CliOption): string {
  const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.valueName ? ` ${option.valueName}` : option.type === 'string' ? ' <value>' : ''}`;
  return `  ${flag.padEnd(30)} ${option.description}`;
}

export function commandHelp(command: CliCommand): string {
  const lines = [`Usage: vessel ${command.name} ${command.usage}`.trimEnd(), '', command.summary];
  if (command.description) lines.push('', command.description);
  lines.push('', 'Options:');
  for (const [name, option] of Object.entries(command.options))
    lines.push(optionHelp(name, option));
  for (const [name, option] of Object.entries(GLOBAL_OPTIONS)) lines.push(optionHelp(name, option));
  return lines.join('\n');
}

export function mainHelp(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Vessel Studio command line: retinal vessel segmentation with U-Net.',
    '',
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    'Every command takes --help, --json and --backend <name>.',
    'Exit codes: 0 success, 2 bad input (the reason names the file or option), 1 anything else.',
  ].join('\n');
}

export interface RunOptions {
  streams?: CliStreams;
  commands?: CliCommand[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Replaces engine creation in tests. */
  makeEngine?: (options: EngineOptions) => Engine;
}

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<number> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const commands = options.commands ?? defaultCommands;
  const env = options.env ?? process.env;
  const wantsJson = argv.includes('--json');
  const name = argv[0];
  const fail = (code: number, message: string, errorCode: string) => {
    streams.stderr.write(`error: ${message}\n`);
    if (wantsJson)
      streams.stdout.write(
        `${JSON.stringify({ ok: false, error: { code: errorCode, message } })}\n`,
      );
    return code;
  };

  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    streams.stdout.write(`${mainHelp(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    streams.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    return fail(
      2,
      `unknown command "${name}"; run with --help for the list`,
      COMMON_ERROR_CODES.BAD_INPUT,
    );
  }

  const allOptions = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      options: Object.fromEntries(
        Object.entries(allOptions).map(([key, o]) => [
          key,
          {
            type: o.type,
            ...(o.short ? { short: o.short } : {}),
            ...(o.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message =
      (error as Error).message.split('\n')[0]?.replace(/^TypeError \[[A-Z_]+\]: /, '') ?? '';
    return fail(2, `${command.name}: ${message}`, COMMON_ERROR_CODES.BAD_INPUT);
  }
  if (parsed.values.help) {
    streams.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }

  const json = parsed.values.json === true;
  let forcedBackend: EngineOptions['forcedBackend'];
  const flagBackend = parsed.values.backend;
  if (typeof flagBackend === 'string') {
    const backend = parseBackendName(flagBackend);
    if (!backend) {
      return fail(
        2,
        `--backend must be tensorflow-gpu, webgpu, tensorflow, wasm or cpu, got "${flagBackend}"`,
        COMMON_ERROR_CODES.BAD_INPUT,
      );
    }
    forcedBackend = { name: backend, by: 'flag' };
  } else if (env.VESSEL_BACKEND) {
    const backend = parseBackendName(env.VESSEL_BACKEND);
    if (!backend) {
      return fail(
        2,
        `VESSEL_BACKEND must be tensorflow-gpu, webgpu, tensorflow, wasm or cpu, got "${env.VESSEL_BACKEND}"`,
        COMMON_ERROR_CODES.BAD_INPUT,
      );
    }
    forcedBackend = { name: backend, by: 'env' };
  }

  const root = findAppRoot();
  let engine: Engine | null = null;
  const makeEngine = options.makeEngine ?? createEngine;
  const io: CliIo = {
    json,
    print: (text) => {
      if (!json) streams.stdout.write(`${text}\n`);
    },
    log: (text) => {
      streams.stderr.write(`${text}\n`);
    },
    progress: (label) => createProgress(label, streams.stderr),
    engine: (mode = 'cli') => {
      engine ??= makeEngine({
        mode,
        appVersion: appVersion(root),
        electronVersion: null,
        resourcesDir: path.join(root, 'resources'),
        ...(forcedBackend ? { forcedBackend } : {}),
      });
      return engine;
    },
    signal: options.signal ?? new AbortController().signal,
  };

  try {
    const outcome = await command.run(
      {
        values: parsed.values as Record<string, string | boolean | string[] | undefined>,
        positionals: parsed.positionals,
      },
      io,
    );
    // A command that streams its own output (serve) returns neither json nor text.
    if (outcome.json === undefined && outcome.text === undefined) return 0;
    if (json) streams.stdout.write(`${JSON.stringify(outcome.json)}\n`);
    else if (outcome.text !== undefined) streams.stdout.write(`${outcome.text}\n`);
    else streams.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError)
      return fail(2, `${command.name}: ${error.message}`, COMMON_ERROR_CODES.BAD_INPUT);
    if (error instanceof AppError && error.code !== COMMON_ERROR_CODES.INTERNAL) {
      return fail(2, error.message, error.code);
    }
    const message = error instanceof Error ? error.message : String(error);
    if (!json && error instanceof Error && env.VESSEL_DEBUG)
      streams.stderr.write(`${error.stack}\n`);
    return fail(1, message, COMMON_ERROR_CODES.INTERNAL);
  } finally {
    if (engine) await (engine as Engine).dispose();
  }
}
