import { displayKey, SHORTCUTS, type Shortcut } from '../canvas/shortcuts';
import { useStore } from '../state/store';
import type { StudioController } from '../state/studio-controller';

const GROUPS: Shortcut['group'][] = ['Tools', 'Edit', 'Layers', 'View', 'Images', 'App'];

/** Every shortcut, from the same table the key handler uses. */
export function ShortcutSheet({
  controller,
  isMac,
}: {
  controller: StudioController;
  isMac: boolean;
}) {
  const open = useStore(controller.store, (s) => s.shortcutsOpen);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onClick={() => controller.store.set({ shortcutsOpen: false })}>
      <div
        className="modal shortcut-sheet"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcut-sheet"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>Keyboard shortcuts</h2>
        <div className="sheet-columns">
          {GROUPS.map((group) => (
            <section key={group}>
              <h3>{group}</h3>
              <dl>
                {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                  <div key={s.command} className="sheet-row">
                    <dt>
                      {s.keys.map((k) => (
                        <kbd key={k}>{displayKey(k, isMac)}</kbd>
                      ))}
                    </dt>
                    <dd>{s.description}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
          <section>
            <h3>Pointer</h3>
            <dl>
              <div className="sheet-row">
                <dt>
                  <kbd>Wheel</kbd>
                </dt>
                <dd>Zoom to the cursor</dd>
              </div>
              <div className="sheet-row">
                <dt>
                  <kbd>Space</kbd>+drag, middle drag
                </dt>
                <dd>Pan</dd>
              </div>
              <div className="sheet-row">
                <dt>
                  <kbd>Alt</kbd>+drag
                </dt>
                <dd>Brush size</dd>
              </div>
              <div className="sheet-row">
                <dt>
                  <kbd>Enter</kbd> / <kbd>Esc</kbd>
                </dt>
                <dd>Close / cancel a polygon</dd>
              </div>
            </dl>
          </section>
        </div>
        <p className="muted">Press ? or Esc to close.</p>
      </div>
    </div>
  );
}
