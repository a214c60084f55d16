import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isLoopbackHost, startServer } from '../serve-http';
import { findAppRoot } from '../app-root';
import { intOption, stringOption, UsageError, type CliCommand } from '../command';

/** Builds the renderer with electron-vite when no build is there yet (a fresh clone). */
async function ensureRendererBuilt(
  root: string,
  rendererDir: string,
  log: (s: string) => void,
): Promise<void> {
  if (existsSync(path.join(rendererDir, 'index.html'))) return;
  log('serve: no renderer build yet, building it once (npx electron-vite build)...');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`electron-vite build failed (exit ${code})`)),
    );
  });
}

/**
 * After Ctrl+C, how long serve waits for its connections and the engine to close before the
 * process exits anyway: a read stuck in libuv's thread pool must not keep it running.
 */
export const SERVE_STOP_DEADLINE_MS = 3000;

/** Without --port: how many ports after 5199 serve tries when 5199 is taken. */
export const DEFAULT_PORT_TRIES = 20;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Browser mode: serve the studio and the engine on 127.0.0.1 with a token in the URL.',
  usage: '[--port <N>] [--host 127.0.0.1] [--allow-remote] [--renderer-dir <dir>]',
  stopDeadlineMs: SERVE_STOP_DEADLINE_MS,
  description:
    'Prints the URL to open, with a random token (as Jupyter does). Requests and WebSocket connections ' +
    'without the token are refused. A host other than loopback needs --allow-remote and exposes your ' +
    'data to the network: only on networks you trust. Stops with Ctrl+C (within ' +
    `${SERVE_STOP_DEADLINE_MS / 1000} s, even with work stuck; a second Ctrl+C stops at once).`,
  options: {
    port: {
      type: 'string',
      valueName: '<N>',
      description:
        'Port to listen on (default 5199, or the next free one when it is taken; 0 picks any free one). A port given here that is taken is an error.',
    },
    host: {
      type: 'string',
      valueName: '<host>',
      description: 'Address to bind (default 127.0.0.1).',
    },
    'allow-remote': { type: 'boolean', description: 'Allow a non-loopback --host.' },
    'renderer-dir': {
      type: 'string',
      valueName: '<dir>',
      description: 'Serve this renderer build (index.html and assets) instead of out/renderer.',
    },
    token: {
      type: 'string',
      valueName: '<token>',
      description: 'Use this token instead of a random one (at least 16 characters).',
    },
  },
  async run(args, io) {
    const port = intOption(args, 'port', 5199, 0, 65535);
    const host = stringOption(args, 'host') ?? '127.0.0.1';
    const token = stringOption(args, 'token');
    if (token !== undefined && token.length < 16)
      throw new UsageError('--token must have at least 16 characters');
    if (!isLoopbackHost(host)) {
      if (args.values['allow-remote'] !== true) {
        throw new UsageError(
          `--host ${host} is not loopback: add --allow-remote to expose the studio on the network`,
        );
      }
      io.log(
        `warning: serving on ${host}: anyone on that network with the token can use this studio and its data.`,
      );
    }
    const givenRendererDir = stringOption(args, 'renderer-dir');
    let rendererDir: string;
    if (givenRendererDir !== undefined) {
      rendererDir = path.resolve(givenRendererDir);
      if (!existsSync(path.join(rendererDir, 'index.html')))
        throw new UsageError(
          `--renderer-dir ${givenRendererDir} has no index.html: give the folder of a renderer build (out/renderer)`,
        );
    } else {
      const root = findAppRoot();
      rendererDir = path.join(root, 'out', 'renderer');
      await ensureRendererBuilt(root, rendererDir, io.log);
    }
    const engine = io.engine('browser');
    const server = await startServer({
      engine,
      rendererDir,
      host,
      port,
      // The default port moves to the next free one; a port the user named is kept or refused.
      nextPortTries: stringOption(args, 'port') === undefined ? DEFAULT_PORT_TRIES : 0,
      ...(token ? { token } : {}),
      log: io.log,
    });
    io.log(`Vessel Studio (browser mode) is at: ${server.url}`);
    if (!io.json) io.print(server.url);
    else
      process.stdout.write(
        `${JSON.stringify({ url: server.url, host: server.host, port: server.port })}\n`,
      );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return { json: undefined, text: undefined };
  },
};
