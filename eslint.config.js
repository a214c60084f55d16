// ESLint flat config. Besides the usual rules, it enforces the direction of imports that
// ../shared/DESIGN.md asks for: src/shared is pure (no node, no dom, no app packages), the
// renderer imports no node module, only src/main/shell (and the entry index.ts) imports electron,
// and only the compute process (src/main/compute) imports TensorFlow.js.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeOnlyPackages = [
  'electron',
  'sharp',
  'sqlite3',
  'ws',
  'tsx',
  '@tensorflow/*',
  'playwright-core',
];

const tfjsOnlyInCompute =
  'TensorFlow.js runs in the compute process only: import it in src/main/compute, and reach it from elsewhere through ComputeHost (src/main/compute/host.ts).';

/** no-restricted-imports options that ban the given names and patterns with a reason. */
function banImports(names, patterns, message) {
  return [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: patterns.map((group) => ({ group: [group], message })),
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-output/**',
      '.gpu-bundle/**',
      'resources/**',
      'bench/results/**',
      '**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': banImports(
        [...nodeBuiltins, 'react', 'react-dom', 'konva', 'react-konva'],
        [...nodeOnlyPackages, '**/main/**', '**/renderer/**', '**/preload/**', 'node:*'],
        'src/shared is imported by every side: it may use neither node, the dom, nor app packages.',
      ),
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': banImports(
        nodeBuiltins,
        [...nodeOnlyPackages, '**/main/**', '**/preload/index*', 'node:*'],
        'The renderer runs sandboxed without node: talk to the engine through the contract client.',
      ),
    },
  },
  {
    // @tensorflow/* everywhere but the compute process. The one other exception: bench/**, the
    // benchmarks that time kernels and networks in their own process (`cli bench`), where a
    // round trip through the compute host would be part of what they measure. The blocks
    // below replace this rule's options for their files, so each repeats the ban.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['src/main/compute/**', 'bench/**'],
    rules: {
      'no-restricted-imports': banImports([], ['@tensorflow/*'], tfjsOnlyInCompute),
    },
  },
  {
    files: ['src/main/engine/**/*.ts', 'src/main/cli.ts', 'src/main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'The engine, the CLI and browser mode run under plain Node: only src/main/shell imports electron.',
            },
          ],
          patterns: [
            {
              group: ['electron/*', '**/renderer/**'],
              message:
                'The engine, the CLI and browser mode run under plain Node: only src/main/shell imports electron.',
            },
            { group: ['@tensorflow/*'], message: tfjsOnlyInCompute },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/compute/**/*.ts'],
    rules: {
      'no-restricted-imports': banImports(
        ['electron'],
        ['electron/*', '**/renderer/**'],
        'The compute process runs under plain Node (forked, or as a utilityProcess): only src/main/shell imports electron.',
      ),
    },
  },
);
