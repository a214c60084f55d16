import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/result';
import { UsageError, type CliCommand } from './command';
import { runCli } from './run';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    streams: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const echo: CliCommand = {
  name: 'echo',
  summary: 'Echoes its input.',
  usage: '<word> [--loud]',
  options: { loud: { type: 'boolean', description: 'Upper case.' } },
  async run(args, io) {
    io.log('a log line goes to stderr');
    const word = args.positionals[0];
    if (word === undefined) throw new UsageError('missing <word>');
    if (word === 'bad-file') throw new AppError('DATASET_NOT_FOUND', 'Folder /x does not exist.');
    if (word === 'crash') throw new Error('unexpected');
    const said = args.values.loud ? word.toUpperCase() : word;
    return { json: { said }, text: `said ${said}` };
  },
};

describe('runCli', () => {
  it('prints exactly one JSON object on stdout with --json, logs on stderr', async () => {
    const io = capture();
    const code = await runCli(['echo', 'hi', '--loud', '--json'], {
      streams: io.streams,
      commands: [echo],
    });
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({ said: 'HI' });
    expect(io.stdout().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toContain('a log line');
  });

  it('prints human text without --json', async () => {
    const io = capture();
    expect(await runCli(['echo', 'hi'], { streams: io.streams, commands: [echo] })).toBe(0);
    expect(io.stdout()).toBe('said hi\n');
  });

  it('exits 2 with a one-line reason naming the option on bad input', async () => {
    const unknownOption = capture();
    expect(
      await runCli(['echo', 'hi', '--nope'], { streams: unknownOption.streams, commands: [echo] }),
    ).toBe(2);
    expect(unknownOption.stderr()).toMatch(/--nope/);
    expect(unknownOption.stderr().trim().split('\n')).toHaveLength(1);

    const missing = capture();
    expect(await runCli(['echo'], { streams: missing.streams, commands: [echo] })).toBe(2);
    expect(missing.stderr()).toMatch(/missing <word>/);

    const backend = capture();
    expect(
      await runCli(['echo', 'x', '--backend', 'quantum'], {
        streams: backend.streams,
        commands: [echo],
      }),
    ).toBe(2);
    expect(backend.stderr()).toMatch(/--backend/);

    const env = capture();
    expect(
      await runCli(['echo', 'x'], {
        streams: env.streams,
        commands: [echo],
        env: { VESSEL_BACKEND: 'gpu9' },
      }),
    ).toBe(2);
    expect(env.stderr()).toMatch(/VESSEL_BACKEND/);
  });

  it('exits 2 for AppErrors (bad input such as a missing folder) and 1 for anything else', async () => {
    const appError = capture();
    expect(
      await runCli(['echo', 'bad-file', '--json'], { streams: appError.streams, commands: [echo] }),
    ).toBe(2);
    expect(JSON.parse(appError.stdout())).toEqual({
      ok: false,
      error: { code: 'DATASET_NOT_FOUND', message: 'Folder /x does not exist.' },
    });
    const crash = capture();
    expect(await runCli(['echo', 'crash'], { streams: crash.streams, commands: [echo] })).toBe(1);
    expect(crash.stderr()).toContain('unexpected');
  });

  it('shows help for every command and the command list', async () => {
    const list = capture();
    expect(await runCli(['--help'], { streams: list.streams, commands: [echo] })).toBe(0);
    expect(list.stdout()).toMatch(/echo\s+Echoes its input/);
    const help = capture();
    expect(await runCli(['echo', '--help'], { streams: help.streams, commands: [echo] })).toBe(0);
    expect(help.stdout()).toMatch(/Usage: vessel echo <word> \[--loud\]/);
    expect(help.stdout()).toMatch(/--json/);
    const unknown = capture();
    expect(await runCli(['frobnicate'], { streams: unknown.streams, commands: [echo] })).toBe(2);
  });

  it('forces the backend from --backend and from VESSEL_BACKEND, the flag winning', async () => {
    const seen: unknown[] = [];
    const probe: CliCommand = {
      ...echo,
      name: 'probe',
      async run(_args, io) {
        seen.push(io.engine().context.options.forcedBackend);
        return { json: {} };
      },
    };
    await runCli(['probe', '--backend', 'cpu'], {
      streams: capture().streams,
      commands: [probe],
      env: { VESSEL_BACKEND: 'wasm' },
    });
    await runCli(['probe'], {
      streams: capture().streams,
      commands: [probe],
      env: { VESSEL_BACKEND: 'wasm' },
    });
    await runCli(['probe'], { streams: capture().streams, commands: [probe], env: {} });
    expect(seen).toEqual([{ name: 'cpu', by: 'flag' }, { name: 'wasm', by: 'env' }, undefined]);
  });
});
