// One Jest run covers every project. Tiers are told apart by file name:
//   *.spec.ts      pure unit tests beside the code
//   *.int-spec.ts  against real nats-server / PostgreSQL processes the test starts itself
//   e2e/**         against the whole stack as separate OS processes
// TypeScript is compiled by swc into ESM (Jest runs with --experimental-vm-modules on Node 24).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2024',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@mapek/stack$': '<rootDir>/tools/stack/src/index.ts',
    '^@mapek/pki$': '<rootDir>/tools/pki/src/index.ts',
    '^@mapek/dashboards$': '<rootDir>/tools/dashboards/src/index.ts',
    '^@mapek/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  rootDir: import.meta.dirname,
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.tools/'],
};
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,tools,examples}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,tools,examples,integration}/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/timeout-integration.js'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/timeout-e2e.js'],
    },
  ],
};
