import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-cycles';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('import cycles', () => {
  it('finds a value cycle and ignores type-only imports and tests', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cycles-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'a.ts'), "import { b } from './sub/b';\nexport const a = b;\n");
    writeFileSync(path.join(dir, 'sub', 'b.ts'), "export { c as b } from '../c';\n");
    writeFileSync(path.join(dir, 'c.ts'), "export const c = async () => import('./a');\n");
    writeFileSync(path.join(dir, 'd.ts'), "import type { a } from './e';\nexport type D = a;\n");
    writeFileSync(path.join(dir, 'e.ts'), "import { type D } from './d';\nexport type a = D;\n");
    writeFileSync(path.join(dir, 'e.test.ts'), "import { c } from './c';\nc();\n");
    const cycles = importCycles(importGraph(dir));
    // d -> e is `import type` (erased), so d and e form no cycle; a test file is no module.
    expect(cycles.map((group) => group.map((f) => path.relative(dir, f)))).toEqual([
      ['a.ts', 'c.ts', 'sub/b.ts'],
    ]);
  });

  it('has none in src/', () => {
    const cycles = importCycles(importGraph(path.join(repoRoot, 'src')));
    expect(cycles.map((group) => group.map((f) => path.relative(repoRoot, f)))).toEqual([]);
  });
});
