import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AppError, describeIssues, parseOrThrow } from './result';

describe('parseOrThrow', () => {
  const schema = z.object({ fees: z.array(z.number()), name: z.string() }).strict();

  it('returns what the schema reads', () => {
    expect(parseOrThrow(schema, { fees: [1], name: 'a' }, 'X_BAD', (w) => w)).toEqual({
      fees: [1],
      name: 'a',
    });
  });

  it('throws the code with the issues named in the message and kept as details', () => {
    let thrown: unknown;
    try {
      parseOrThrow(schema, { fees: ['1'], name: 2 }, 'X_BAD', (where) => `Bad thing: ${where}.`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error.code).toBe('X_BAD');
    expect(error.message).toMatch(/^Bad thing: fees\.0: .*; name: .*\.$/);
    expect(describeIssues(error.details as z.core.$ZodIssue[])).toBe(
      error.message.slice('Bad thing: '.length, -1),
    );
  });
});
