import { useEffect } from 'react';
import type { StudioSessionInfo } from '../../../shared/api/studio';

/**
 * Where the open project lives: the full .vessel path in the header (first, so a narrow window
 * cuts the dataset's path rather than it), and the project's file name in the window title.
 */
export function ProjectLocation({ session }: { session: StudioSessionInfo }) {
  useEffect(() => {
    const name = session.projectFile.split(/[\\/]/).pop() ?? session.projectFile;
    document.title = `${name} — Vessel Studio`;
    return () => {
      document.title = 'Vessel Studio';
    };
  }, [session.projectFile]);
  return (
    <span
      className="muted session-line"
      title={`Dataset: ${session.datasetRoot}\nProject file: ${session.projectFile}`}
      data-testid="session"
    >
      project <span data-testid="project-location">{session.projectFile}</span>
      {session.projectCreated ? ' (new)' : ''} · dataset {session.datasetRoot}
    </span>
  );
}
