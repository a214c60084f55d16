import { StatusBar } from './shell/StatusBar';

/** The studio's frame: image list, canvas area, side panel and status bar. */
export function App() {
  return (
    <div className="app-shell">
      <header className="app-header">
        <span className="app-title">Vessel Studio</span>
      </header>
      <nav className="region region-images" aria-label="Images">
        <h2 className="region-title">Images</h2>
        <p className="empty-hint">Open a dataset folder to list its images.</p>
      </nav>
      <main className="region region-canvas" aria-label="Canvas">
        <p className="empty-hint">No image open.</p>
      </main>
      <aside className="region region-side" aria-label="Layers and tools">
        <h2 className="region-title">Layers</h2>
      </aside>
      <StatusBar />
    </div>
  );
}
