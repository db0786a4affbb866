import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.data/**',
      'coverage/**',
      'cdk.out/**',
      'bench/out/**',
      // CI glue run by the system Node, outside the TypeScript projects.
      '.ci/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // With noUncheckedIndexedAccess, `!` is the explicit "this index exists" in hot loops.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      'no-console': 'off',
    },
  },
  {
    // Root tool configs sit outside every workspace's tsconfig: lint them without types.
    files: ['*.js', '*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Every workspace declares what it imports: an undeclared package works through hoisting
    // until a container build installs one workspace alone. The rule checks each file against
    // its nearest package.json; test code may use devDependencies, shipped code may not.
    plugins: { 'import-x': importX },
    settings: {
      // An unresolved import is silently skipped by the rule, so resolve like tsc does: the
      // workspaces' "source" export condition points at src/*.ts, which exists without a build.
      'import-x/resolver-next': [
        createNodeResolver({
          conditionNames: ['source', 'types', 'import', 'node', 'default'],
          extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
        }),
      ],
    },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          includeTypes: true,
          devDependencies: [
            '**/*.test.ts',
            '**/test/**',
            // Tooling: root configs (the root package has only devDependencies), infra's scripts,
            // the web page's build (vite).
            '*.js',
            '*.ts',
            'infra/scripts/**',
            'web/build/**',
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
