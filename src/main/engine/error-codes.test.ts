import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_TABLES } from '../../shared/api/errors';

/** The .ts files under a folder, tests left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') && !file.endsWith('.test.ts') ? [file] : [];
  });
}

describe('the codes thrown in src/main', () => {
  it('are all declared in the contract tables (src/shared/api/errors.ts)', () => {
    const root = path.resolve(__dirname, '..');
    const known = new Set<string>(
      Object.values(ERROR_CODE_TABLES).flatMap((table) => Object.values(table)),
    );
    const undeclared: string[] = [];
    let literals = 0;
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/new AppError\(\s*'([A-Z][A-Z0-9_]*)'/g)) {
        literals += 1;
        if (!known.has(match[1]!)) undeclared.push(`${path.relative(root, file)}: ${match[1]}`);
      }
    }
    // The scan reads the real sources: some throw sites still spell their code out.
    expect(literals).toBeGreaterThan(0);
    expect(undeclared).toEqual([]);
  });
});
