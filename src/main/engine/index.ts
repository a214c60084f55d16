/**
 * The engine facade: plain Node, never electron. Main binds it to IPC, `serve` to a
 * WebSocket, the CLI calls it directly; all three run the same code.
 */
import type { Result } from '../../shared/result';
import { predictBackendReport } from './compute/setup';
import type { EngineContext, EngineOptions } from './context';
import { dispatchRequest } from './dispatch';
import { EngineEvents } from './events';
import { createHandlers, type Handlers } from './handlers';

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
  const context: EngineContext = {
    options,
    events,
    backendReport() {
      // The ladder's own checks, without importing tfjs (app.info stays fast); the real
      // report once setupCompute has run in this process. Cheap, so not cached.
      return predictBackendReport(options.forcedBackend);
    },
  };
  const handlers = createHandlers(context);
  return {
    context,
    handlers,
    events,
    request: (name, input) => dispatchRequest(handlers, name, input),
    async dispose() {},
  };
}
