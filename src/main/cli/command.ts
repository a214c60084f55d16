/** What every CLI command is: a name, its options, and a run function that returns its result. */
import type { Engine } from '../engine';
import type { ProgressReporter } from './progress';

export interface CliOption {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  /** Shown in --help: `--port <N>`. */
  valueName?: string;
  multiple?: boolean;
}

export interface CliIo {
  /** True with --json: stdout gets exactly one JSON object, everything else goes to stderr. */
  readonly json: boolean;
  /** Writes a human line to stdout (suppressed with --json). */
  print(text: string): void;
  /** Writes a log line to stderr (always). */
  log(text: string): void;
  /** A progress bar on a terminal, plain lines otherwise; always on stderr. */
  progress(label: string): ProgressReporter;
  /** The engine, created on first use with the global options (--backend); `browser` for serve. */
  engine(mode?: 'cli' | 'browser'): Engine;
  /** Aborted on SIGINT, so long commands can stop cleanly. */
  readonly signal: AbortSignal;
}

export interface CliArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Argument synopsis after the command name: `<folder> [--json]`. */
  usage: string;
  /** Optional paragraph for --help. */
  description?: string;
  options: Record<string, CliOption>;
  /**
   * Runs the command. The returned object is what --json prints; `text` (if any) is printed
   * instead when --json is absent.
   */
  run(args: CliArgs, io: CliIo): Promise<{ json?: unknown; text?: string }>;
  /**
   * After Ctrl+C (or SIGTERM), how long the command may take to stop before the process exits
   * anyway. Absent: it stops in its own time (train saves its checkpoint) until a second Ctrl+C.
   */
  stopDeadlineMs?: number;
}

/** Bad input on the command line: exit code 2 with this one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads a string option, throwing a UsageError that names it when it is required and missing. */
export function stringOption(args: CliArgs, name: string, required: true): string;
export function stringOption(args: CliArgs, name: string, required?: false): string | undefined;
export function stringOption(args: CliArgs, name: string, required = false): string | undefined {
  const value = args.values[name];
  if (value === undefined || value === false) {
    if (required) throw new UsageError(`missing --${name}`);
    return undefined;
  }
  if (typeof value !== 'string') throw new UsageError(`--${name} takes a value`);
  return value;
}

/** Reads an integer option within [min, max]; a UsageError names the option otherwise. */
export function intOption(
  args: CliArgs,
  name: string,
  fallback: number,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Reads a number option within [min, max]; a UsageError names the option otherwise. */
export function numberOption(
  args: CliArgs,
  name: string,
  fallback: number,
  min = -Infinity,
  max = Infinity,
): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** `--flips`, `--no-flips`, `--turns` and `--no-turns`, shared by the commands that run a model. */
export const FLIP_OPTIONS: Record<'flips' | 'no-flips' | 'turns' | 'no-turns', CliOption> = {
  flips: {
    type: 'boolean',
    description: "Average the predictions of the four flips (default: the model's own setting).",
  },
  'no-flips': { type: 'boolean', description: 'Do not average flips, whatever the model says.' },
  turns: {
    type: 'boolean',
    description:
      "Average the eight flips and quarter turns (implies --flips; default: the model's own setting).",
  },
  'no-turns': {
    type: 'boolean',
    description: 'With flips, average the four flips only, whatever the model says.',
  },
};

/** The views `--flips`, `--no-flips`, `--turns` and `--no-turns` ask for; undefined leaves it to the model. */
export interface ViewFlags {
  flips?: boolean;
  turns?: boolean;
}

/** What the view flags ask for: `--turns` implies flips, and contradictions are refused. */
export function viewFlags(args: CliArgs): ViewFlags {
  const pair = (yes: string, no: string): boolean | undefined => {
    const on = args.values[yes] === true;
    const off = args.values[no] === true;
    if (on && off) throw new UsageError(`give --${yes} or --${no}, not both`);
    return on ? true : off ? false : undefined;
  };
  const flips = pair('flips', 'no-flips');
  const turns = pair('turns', 'no-turns');
  if (turns === true && flips === false) {
    throw new UsageError('--turns adds quarter turns to the flips: drop --no-flips or --turns');
  }
  return {
    ...(flips !== undefined || turns === true ? { flips: flips ?? true } : {}),
    ...(turns !== undefined ? { turns } : {}),
  };
}

/**
 * `--skip-bad`, shared by the commands that refuse a dataset holding files they cannot use (eval,
 * train): with it they go on without those files and name each. The help says what the command
 * does without them and where it names them.
 */
export function skipBadOptions(description: string): Record<'skip-bad', CliOption> {
  return { 'skip-bad': { type: 'boolean', description } };
}

/** Whether `--skip-bad` was given. */
export function skipBadOption(args: CliArgs): boolean {
  return args.values['skip-bad'] === true;
}
