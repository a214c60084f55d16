/**
 * The focus rule for keys: canvas shortcuts (letters, digits, Space to pan) act on the canvas
 * whatever control has the focus, except a text field, where keys are text. A slider or a
 * checkbox keeps the focus after a click, so a rule keyed on "any input" would silently turn
 * Space+drag into a brush stroke.
 */

/** What the rule reads of a key event's target: a DOM element, or a plain object in tests. */
export interface FocusTarget {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Input types whose keys are text (an input without a type is a text input). */
const TEXT_INPUT_TYPES = new Set([
  'text',
  'search',
  'number',
  'email',
  'password',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** Controls that Space presses when it is released. */
const SPACE_PRESSED_TYPES = new Set(['button', 'submit', 'reset', 'checkbox', 'radio']);

const asTarget = (target: EventTarget | FocusTarget | null): FocusTarget | null =>
  target !== null && typeof (target as FocusTarget).tagName === 'string'
    ? (target as FocusTarget)
    : null;

/** Whether keys typed at this target are text: text, search and number inputs, textareas, contenteditable. */
export function isTextField(target: EventTarget | FocusTarget | null): boolean {
  const el = asTarget(target);
  if (!el) return false;
  if (el.isContentEditable === true) return true;
  const tag = el.tagName!.toUpperCase();
  if (tag === 'TEXTAREA') return true;
  return tag === 'INPUT' && TEXT_INPUT_TYPES.has((el.type || 'text').toLowerCase());
}

/**
 * Whether Space presses this control on release (buttons, checkboxes, radios). Panning leaves
 * its keydown alone so that Space still presses it when no drag follows; a drag moves the focus
 * to the canvas, so the release no longer reaches the control.
 */
export function isPressedBySpace(target: EventTarget | FocusTarget | null): boolean {
  const el = asTarget(target);
  if (!el) return false;
  const tag = el.tagName!.toUpperCase();
  if (tag === 'BUTTON') return true;
  return tag === 'INPUT' && SPACE_PRESSED_TYPES.has((el.type || 'text').toLowerCase());
}
