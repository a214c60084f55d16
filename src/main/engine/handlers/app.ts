import os from 'node:os';
import type { EngineContext } from '../context';
import type { AreaHandlers } from './types';

export function createAppHandlers(ctx: EngineContext): AreaHandlers<'app'> {
  return {
    'app.info': async () => ({
      name: 'Vessel Studio',
      version: ctx.options.appVersion,
      platform: {
        os: `${os.type()} ${os.release()}`,
        arch: process.arch,
        node: process.versions.node,
        electron: ctx.options.electronVersion,
      },
      mode: ctx.options.mode,
      backend: await ctx.backendReport(),
    }),
  };
}
