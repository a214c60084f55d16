import type { ReactNode } from 'react';

/** A file dialog over a backdrop, labelled by its element `titleId`; Escape calls `onEscape`. */
export function Modal({
  titleId,
  testId,
  onEscape,
  children,
}: {
  titleId: string;
  testId: string;
  onEscape: () => void;
  children: ReactNode;
}) {
  return (
    <div className="modal-backdrop">
      <div
        className="modal open-modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onEscape();
        }}
      >
        {children}
      </div>
    </div>
  );
}
