import { describe, expect, it } from 'vitest';
import { isPressedBySpace, isTextField } from './focus';

const input = (type?: string) => ({ tagName: 'INPUT', ...(type === undefined ? {} : { type }) });

describe('the focus rule for canvas keys', () => {
  it('leaves keys to text fields: text, search and number inputs, textareas, contenteditable', () => {
    for (const type of ['text', 'search', 'number', 'email', 'password', 'url', 'TEXT']) {
      expect(isTextField(input(type)), type).toBe(true);
    }
    expect(isTextField(input())).toBe(true);
    expect(isTextField({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextField({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextField({ tagName: 'span', isContentEditable: true })).toBe(true);
  });

  it('gives canvas keys to every other control: sliders, checkboxes, buttons, selects', () => {
    for (const type of ['range', 'checkbox', 'radio', 'button', 'submit', 'color', 'file']) {
      expect(isTextField(input(type)), type).toBe(false);
    }
    expect(isTextField({ tagName: 'SELECT' })).toBe(false);
    expect(isTextField({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextField({ tagName: 'DIV', isContentEditable: false })).toBe(false);
    expect(isTextField({ tagName: 'BODY' })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });

  it('knows which controls Space presses, so a Space without a drag still presses them', () => {
    expect(isPressedBySpace({ tagName: 'BUTTON' })).toBe(true);
    for (const type of ['checkbox', 'radio', 'button', 'submit']) {
      expect(isPressedBySpace(input(type)), type).toBe(true);
    }
    expect(isPressedBySpace(input('range'))).toBe(false);
    expect(isPressedBySpace(input('text'))).toBe(false);
    expect(isPressedBySpace({ tagName: 'SELECT' })).toBe(false);
    expect(isPressedBySpace({ tagName: 'CANVAS' })).toBe(false);
    expect(isPressedBySpace(null)).toBe(false);
  });
});
