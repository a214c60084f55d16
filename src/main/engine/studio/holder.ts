/**
 * The engine's one studio session, reachable from every area that works on the open
 * project (the studio requests, training and evaluation): `studioHolder(ctx).current()`.
 */
import { AppError } from '../../../shared/result';
import type { EngineContext } from '../context';
import { StudioSession, STUDIO_ERROR_CODES, type OpenStudioOptions } from './session';

export class StudioHolder {
  private session: StudioSession | null = null;
  private opening: Promise<unknown> | null = null;

  /** The open session; throws STUDIO_NOT_OPEN when none is. */
  current(): StudioSession {
    if (!this.session) {
      throw new AppError(
        STUDIO_ERROR_CODES.NOT_OPEN,
        'No dataset is open: open a dataset folder or a project file first.',
      );
    }
    return this.session;
  }

  /** The open session or null. */
  peek(): StudioSession | null {
    return this.session;
  }

  /** Closes the open session (releasing its project lock) and opens another. */
  open(options: OpenStudioOptions): Promise<StudioSession> {
    // Opens run one after another (chained synchronously), or two could lock one project twice.
    const run = (this.opening ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.replace(options));
    this.opening = run;
    return run;
  }

  /**
   * Opens the new session before closing the old one, so a bad path loses nothing. Reopening
   * the project that is open (its lock is held by the old session) closes first, and if that
   * reopen fails the old project is opened again.
   */
  private async replace(options: OpenStudioOptions): Promise<StudioSession> {
    const previous = this.session;
    try {
      const next = await StudioSession.open(options);
      this.session = next;
      await previous?.close();
      return next;
    } catch (error) {
      if (!(previous && error instanceof AppError && error.code === 'PROJECT_LOCKED')) throw error;
      await this.close();
      try {
        this.session = await StudioSession.open(options);
        return this.session;
      } catch (retryError) {
        this.session = await StudioSession.open({
          projectPath: previous.project.file,
          appVersion: options.appVersion,
          env: options.env,
          bundledModelDir: options.bundledModelDir,
        }).catch(() => null);
        throw retryError;
      }
    }
  }

  async close(): Promise<boolean> {
    const previous = this.session;
    this.session = null;
    await previous?.close();
    return previous !== null;
  }
}

const holders = new WeakMap<EngineContext, StudioHolder>();

/** The studio holder of an engine (one per engine context). */
export function studioHolder(ctx: EngineContext): StudioHolder {
  let holder = holders.get(ctx);
  if (!holder) {
    holder = new StudioHolder();
    holders.set(ctx, holder);
  }
  return holder;
}
