/**
 * The engine facade: plain Node, never electron. Main binds it to IPC, `serve` to a
 * WebSocket, the CLI calls it directly; all three run the same code.
 */
import type { BackendRejection, BackendReport } from '../../shared/api/app';
import type { Result } from '../../shared/result';
import { chooseBackend, probeNativeBackend, toBackendReport } from './compute/backends';
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

async function probeRung(backend: BackendReport['rejected'][number]['backend']): Promise<BackendRejection | null> {
  if (backend === 'tensorflow-gpu' || backend === 'tensorflow') return probeNativeBackend(backend);
  return null;
}

export function createEngine(options: EngineOptions): Engine {
  const events = new EngineEvents();
  let report: Promise<BackendReport> | null = null;
  const context: EngineContext = {
    options,
    events,
    backendReport() {
      report ??= chooseBackend(probeRung, options.forcedBackend?.name).then((choice) =>
        toBackendReport(choice, options.forcedBackend?.by ?? 'ladder', 1),
      );
      return report;
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
