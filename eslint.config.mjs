import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (DESIGN.md): only src/extension imports vscode; src/shared stays free of node and vscode.
const noVscode = { paths: [{ name: 'vscode', message: 'Only src/extension/ may import vscode.' }] };
// Stores are opened through src/store/open.ts (openStores): the engines and the SQL stores stay inside src/store/.
const storeInternals = {
  group: ['**/store/sqljs/*', '**/store/native/*', '**/store/sqlite/*'],
  message: 'Open stores with openStores() from src/store/open.ts; the engines and SQL stores are internal to src/store/.',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'webview-ui/dist/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // A function a reader takes in at once (issue 20): longer ones are split into named parts.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/extension/**', 'src/store/**'],
    rules: { 'no-restricted-imports': ['error', { ...noVscode, patterns: [storeInternals] }] },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [storeInternals] }] },
  },
  {
    files: ['src/shared/**/*.ts', 'webview-ui/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: noVscode.paths, patterns: [{ group: ['node:*', 'fs', 'path', 'child_process'], message: 'Shared and webview code runs in the browser.' }] },
      ],
    },
  },
);
