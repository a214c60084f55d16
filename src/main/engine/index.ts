/**
 * The engine facade: plain Node, never electron. Main binds it to IPC, `serve` to a
 * WebSocket, the CLI calls it directly; all three run the same code.
 */
import type { Result } from '../../shared/result';
import { ComputeHost } from '../compute/host';
import { predictBackendReport } from '../compute/setup';
import type { EngineContext, EngineOptions } from './context';
import { dispatchRequest } from './dispatch';
import { EngineEvents } from './events';
import { createHandlers, type Handlers } from './handlers';
import { studioHolder } from './studio/holder';

export interface Engine {
  readonly context: EngineContext;
  readonly handlers: Handlers;
  readonly events: EngineEvents;
  /** Validates and runs one request from outside; never throws. */
  request(name: unknown, input: unknown): Promise<Result<unknown>>;
  dispose(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const events = new EngineEvents();
  let compute: ComputeHost | null = null;
  const context: EngineContext = {
    options,
    events,
    backendReport() {
      // The ladder's own checks, without importing tfjs (app.info stays fast); the real
      // report once setupCompute has run in this process. Cheap, so not cached.
      return predictBackendReport(options.forcedBackend);
    },
    compute() {
      if (compute) return compute;
      const host = new ComputeHost(
        options.computeFactory ? { factory: options.computeFactory } : {},
      );
      const log = (level: 'info' | 'warn' | 'error', message: string) =>
        events.emit('app.log', { level, message, time: new Date().toISOString() });
      host.on('crash', (crash) => log('error', crash.error.message));
      host.on('log', (line) => log(line.level, line.message));
      compute = host;
      return host;
    },
  };
  const handlers = createHandlers(context);
  return {
    context,
    handlers,
    events,
    request: (name, input) => dispatchRequest(handlers, name, input),
    async dispose() {
      await studioHolder(context).close();
      await compute?.dispose();
      compute = null;
    },
  };
}
