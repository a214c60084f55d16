import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ElectronFake } from '../../../test/support/electron-fake';
import { nextEvent } from '../../../test/support/host-events';

vi.mock('electron', async () =>
  (await import('../../../test/support/electron-fake')).createElectronFake(),
);

const electron = (await import('electron')) as unknown as ElectronFake;
const { ComputeHost, defaultWorkerPath } = await import('../compute/host');
const { computeProcessFactoryForRuntime, reportComputeCrashes, utilityComputeProcess } =
  await import('./compute-process');

const hosts: InstanceType<typeof ComputeHost>[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()));
});

/** A utilityProcess stand-in: records what it was sent, and emits what a test tells it to. */
class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = 4242;
  readonly posted: unknown[] = [];
  killed = 0;
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  kill() {
    this.killed += 1;
    return true;
  }
}

describe('utilityProcess compute factory', () => {
  it('starts the worker as a named utility process and relays its messages', () => {
    const child = new FakeUtilityProcess();
    const fork = vi.fn(() => child as never);
    const factory = utilityComputeProcess({
      modulePath: '/app/out/main/worker.js',
      env: { VESSEL_TEST: '1' },
      fork,
    });
    const started = factory();
    expect(fork).toHaveBeenCalledTimes(1);
    const [modulePath, args, options] = fork.mock.calls[0] as unknown as [
      string,
      string[],
      { serviceName: string; env: Record<string, string> },
    ];
    expect(modulePath).toBe('/app/out/main/worker.js');
    expect(args).toEqual([]);
    expect(options.serviceName).toBe('Vessel Studio Compute');
    expect(options.env.VESSEL_TEST).toBe('1');
    expect(started.pid).toBe(4242);

    const received: unknown[] = [];
    started.onMessage((message) => received.push(message));
    child.emit('message', { kind: 'ready', pid: 4242 });
    expect(received).toEqual([{ kind: 'ready', pid: 4242 }]);

    started.send({ kind: 'cancel', id: 7 });
    expect(child.posted).toEqual([{ kind: 'cancel', id: 7 }]);
  });

  it('reports the exit once, then neither sends nor kills', () => {
    const child = new FakeUtilityProcess();
    const started = utilityComputeProcess({ modulePath: '/w.js', fork: () => child as never })();
    const exits: Array<[number | null, string | null]> = [];
    started.onExit((code, signal) => exits.push([code, signal]));
    started.kill();
    expect(child.killed).toBe(1);
    child.emit('exit', 9);
    child.emit('exit', 9);
    expect(exits).toEqual([[9, null]]);
    started.send({ kind: 'cancel', id: 1 });
    started.kill();
    expect(child.posted).toEqual([]);
    expect(child.killed).toBe(1);
  });

  it('drives a ComputeHost: a request goes out with its id and its response settles it', async () => {
    const child = new FakeUtilityProcess();
    const host = new ComputeHost({
      factory: utilityComputeProcess({ modulePath: '/w.js', fork: () => child as never }),
    });
    hosts.push(host);
    const answer = host.request('compute.ping', { echo: 'hi' });
    child.emit('message', { kind: 'ready', pid: 4242 });
    await vi.waitFor(() => expect(child.posted).toHaveLength(1));
    const sent = child.posted[0] as { kind: string; id: number; method: string };
    expect(sent).toMatchObject({ kind: 'request', method: 'compute.ping' });
    const value = { pid: 4242, node: 'x', echo: 'hi', uptimeSeconds: 1 };
    child.emit('message', { kind: 'response', id: sent.id, result: { ok: true, value } });
    await expect(answer).resolves.toEqual(value);
    const disposed = host.dispose();
    child.emit('exit', 0);
    await disposed;
  });
});

describe('compute process crash under Node (real forked child)', () => {
  it('shows the crash to the person and restarts the process', async () => {
    const host = new ComputeHost({ factory: computeProcessFactoryForRuntime() });
    hosts.push(host);
    const shown: Array<{ title: string; message: string }> = [];
    reportComputeCrashes(host, (title, message) => shown.push({ title, message }));

    const first = await host.request('compute.ping', { echo: 'before' });
    expect(first.echo).toBe('before');
    expect(first.pid).not.toBe(process.pid);

    const crashed = nextEvent(host, 'crash');
    const restarted = nextEvent(host, 'ready');
    process.kill(first.pid, 'SIGKILL');
    const crash = await crashed;
    expect(crash.signal).toBe('SIGKILL');
    expect(shown).toHaveLength(1);
    expect(shown[0].title).toMatch(/compute process/i);
    expect(shown[0].message).toMatch(/killed \(SIGKILL\)/);

    expect((await restarted).restarts).toBe(1);
    const second = await host.request('compute.ping', { echo: 'after' });
    expect(second.echo).toBe('after');
    expect(second.pid).not.toBe(first.pid);
    // Under plain Node the runtime's factory forks; Electron's utilityProcess is never asked.
    expect(process.versions.electron).toBeUndefined();
    expect(electron.utilityProcess.fork).not.toHaveBeenCalled();
  });
});

/**
 * Electron's utilityProcess, played by a real forked Node process: the child gets a
 * `process.parentPort` that behaves like Electron's (messages arrive as `{ data }`), so the
 * worker runs its utilityProcess code path, and the parent sees the UtilityProcess interface.
 */
class ForkedUtilityProcess extends EventEmitter {
  constructor(private readonly child: ChildProcess) {
    super();
    child.on('message', (message) => this.emit('message', message));
    child.on('exit', (code, signal) => this.emit('exit', code ?? (signal === null ? 0 : 1)));
  }
  get pid() {
    return this.child.pid;
  }
  postMessage(message: unknown) {
    this.child.send(message as never);
  }
  kill() {
    return this.child.kill('SIGTERM');
  }
}

const shimDir = mkdtempSync(path.join(os.tmpdir(), 'vessel-utility-shim-'));
afterAll(() => rmSync(shimDir, { recursive: true, force: true }));

describe('the worker as a utility process (parentPort, played by a real child)', () => {
  it('answers through parentPort, and is restarted after a crash', async () => {
    const shim = path.join(shimDir, 'utility-entry.mjs');
    writeFileSync(
      shim,
      [
        "import { EventEmitter } from 'node:events';",
        'const port = new EventEmitter();',
        // Only parentPort remains: the worker cannot fall back to its child_process path.
        'const send = process.send.bind(process);',
        'process.send = undefined;',
        'process.parentPort = { postMessage: (m) => send(m), on: (e, l) => port.on(e, l) };',
        "process.on('message', (m) => port.emit('message', { data: m }));",
        "process.on('disconnect', () => process.exit(0));",
        `await import(${JSON.stringify(pathToFileURL(defaultWorkerPath()).href)});`,
      ].join('\n'),
    );
    const started: string[] = [];
    const factory = utilityComputeProcess({
      modulePath: shim,
      fork: (modulePath, args, options) => {
        started.push(options.serviceName ?? '');
        const child = fork(modulePath, args, {
          execArgv: ['--import', 'tsx'],
          env: options.env as NodeJS.ProcessEnv,
          serialization: 'advanced',
          stdio: ['ignore', 2, 'inherit', 'ipc'],
        });
        return new ForkedUtilityProcess(child) as never;
      },
    });
    const host = new ComputeHost({ factory });
    hosts.push(host);
    const shown: string[] = [];
    reportComputeCrashes(host, (_title, message) => shown.push(message));

    const first = await host.request('compute.ping', { echo: 'through parentPort' });
    expect(first.echo).toBe('through parentPort');
    const restarted = nextEvent(host, 'ready');
    process.kill(first.pid, 'SIGKILL');
    expect((await restarted).restarts).toBe(1);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/compute process exited/);
    const second = await host.request('compute.ping', { echo: 'again' });
    expect(second.pid).not.toBe(first.pid);
    expect(started).toEqual(['Vessel Studio Compute', 'Vessel Studio Compute']);
  });
});
