import { displayKey } from '../canvas/shortcuts';
import { COMMANDS, type CommandGroup } from '../state/commands';
import type { StudioController } from '../state/studio-controller';
import { useStore } from '../state/use-store';

const GROUPS: CommandGroup[] = ['Tools', 'Edit', 'Layers', 'View', 'Images', 'Training', 'App'];

/** Every command with keys, from the registry the key handler and the menus use. */
export function ShortcutSheet({
  controller,
  isMac,
}: {
  controller: StudioController;
  isMac: boolean;
}) {
  const open = useStore(controller.scene, (s) => s.shortcutsOpen);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onClick={() => controller.scene.set({ shortcutsOpen: false })}>
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
                {COMMANDS.filter((c) => c.group === group && c.keys.length > 0).map((c) => (
                  <div key={c.id} className="sheet-row">
                    <dt>
                      {c.keys.map((k) => (
                        <kbd key={k}>{displayKey(k, isMac)}</kbd>
                      ))}
                    </dt>
                    <dd>{c.title}</dd>
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
