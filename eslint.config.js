// Lint rules that keep the architecture and the async code honest:
// module boundaries (contracts <- libs <- services/tools; no service imports another; domain
// code imports no framework, client library or adapter),
// no floating promises, exhaustive switches, no import cycles, no `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', 'data/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx, 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Cycles among our own modules; a package's internals are its business (and parsing a bundled
      // WebAssembly loader such as PGlite's overflows the parser's stack).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@mapek/*/*'], message: 'import a lib through its public entry only' }] }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:tool'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:tool'] },
          ],
        },
      ],
    },
  },
  {
    // Domain code decides; it does no I/O and knows no framework (STYLE.md, Layout). Ports it
    // needs are interfaces in domain/, implemented under adapters/.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@mapek/*/*'], message: 'import a lib through its public entry only' },
            {
              group: ['@nestjs/*', '@nats-io/*', 'prom-client', '@mapek/messaging', 'pg', 'undici'],
              message: 'domain code does no I/O and knows no framework: put it in adapters/ or application/',
            },
            {
              group: ['../adapters/*', '../handlers/*', '../application/*'],
              message: 'domain code depends on nothing outside domain/: declare a port here instead',
            },
          ],
        },
      ],
    },
  },
);
