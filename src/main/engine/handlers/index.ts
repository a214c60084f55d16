import type { EngineContext } from '../context';
import { createAppHandlers } from './app';
import { createFilesHandlers } from './files';
import { createShellHandlers } from './shell';
import { createStudioHandlers } from './studio';
import { createTrainingHandlers } from './training';
import type { Handlers } from './types';

export type { AreaHandlers, Handlers } from './types';

/** Every request of the contract, bound to the engine. The type checker refuses a missing one. */
export function createHandlers(ctx: EngineContext): Handlers {
  return {
    ...createAppHandlers(ctx),
    ...createFilesHandlers(ctx),
    ...createShellHandlers(),
    ...createStudioHandlers(ctx),
    ...createTrainingHandlers(ctx),
  };
}
