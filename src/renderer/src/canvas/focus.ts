/** Whether a key event's target takes text (then letters and digits are not shortcuts). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color'].includes(
    target.type,
  );
}

/** Whether Space on this target activates a control (then it must not start panning). */
export function isSpaceActivated(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && target.closest('button, input, select, textarea, a') !== null
  );
}
