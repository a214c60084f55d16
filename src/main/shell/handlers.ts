/**
 * Main's own answers to the shell area of the contract (dialogs, recent files, handed-over
 * files). They replace the engine's desktop-only errors in the IPC binding; their input has
 * already been validated by the contract's schemas through the engine's dispatch.
 */
import type { BaseWindow } from 'electron';
import type { AreaHandlers } from '../engine/handlers';
import { showOpenDialogFor, showSaveDialogFor } from './dialogs';
import type { RecentFiles } from './recent-files';

export interface DesktopShellDeps {
  /** The window dialogs attach to (the focused app window), if any. */
  window(): BaseWindow | undefined;
  recentFiles: RecentFiles;
  /** Drains the .vessel files handed over before the page asked. */
  takeOpenedFiles(): string[];
}

export function createDesktopShellHandlers(deps: DesktopShellDeps): AreaHandlers<'shell'> {
  return {
    'shell.openDialog': ({ purpose }) => showOpenDialogFor(purpose, deps.window()),
    'shell.saveDialog': ({ purpose, suggestedName }) =>
      showSaveDialogFor(purpose, suggestedName, deps.window()),
    'shell.recentFiles': async () => ({ paths: await deps.recentFiles.list() }),
    'shell.addRecentFile': async ({ path }) => ({ paths: await deps.recentFiles.add(path) }),
    'shell.takeOpenedFiles': async () => ({ paths: deps.takeOpenedFiles() }),
  };
}
