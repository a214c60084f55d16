import { AppError } from '../../../shared/result';
import type { AreaHandlers } from './types';
import { SHELL_ERROR_CODES } from '../../../shared/api/errors';

/** The error every shell request gets outside the desktop app. */
function desktopOnly(what: string): never {
  throw new AppError(
    SHELL_ERROR_CODES.DESKTOP_ONLY,
    `${what} exist only in the desktop app. In browser mode use the folder browser of the Open and Export dialogs (files.list, files.recentProjects) or type the path; in the CLI give the path.`,
  );
}

/**
 * Outside Electron there are no native dialogs and no OS recent list, so the engine answers the
 * shell area with a clear error; the desktop app's main process binds its own handlers over these.
 */
export function createShellHandlers(): AreaHandlers<'shell'> {
  return {
    'shell.openDialog': async () => desktopOnly('Native file dialogs'),
    'shell.saveDialog': async () => desktopOnly('Native file dialogs'),
    'shell.recentFiles': async () => desktopOnly('Recent files'),
    'shell.addRecentFile': async () => desktopOnly('Recent files'),
    // Files are handed over by the OS only to the desktop app: elsewhere there are none.
    'shell.takeOpenedFiles': async () => ({ paths: [] }),
  };
}
